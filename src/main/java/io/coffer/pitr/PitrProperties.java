package io.coffer.pitr;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Point-in-time recovery (see {@link StreamArchiver}).
 * @param uploadInterval a segment of the archived stream is sealed and uploaded at least this often (sooner once it
 * holds 16 MiB); what arrived is on local disk within a second, in object storage within this
 */
@Validated
@ConfigurationProperties("coffer.pitr")
public record PitrProperties(@NotNull @DefaultValue("60s") Duration uploadInterval) {
}
