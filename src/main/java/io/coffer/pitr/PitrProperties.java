package io.coffer.pitr;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Point-in-time recovery (see {@link StreamArchiver}).
 * @param uploadInterval a segment of the archived stream is sealed and uploaded at least this often (sooner once it
 * holds 16 MiB); what arrived is on local disk within a second, in object storage within this
 * @param maxConcurrentFullSyncs how many archivers of this instance receive a full synchronisation (the node's dump,
 * shipped as a base backup) at once; the others wait their turn without a connection to their node. Each one under
 * way holds a shipper thread and its upload's buffers (two multipart parts, {@code coffer.s3.part-size}, at most)
 */
@Validated
@ConfigurationProperties("coffer.pitr")
public record PitrProperties(@NotNull @DefaultValue("60s") Duration uploadInterval,
		@Min(1) @DefaultValue("4") int maxConcurrentFullSyncs) {
}
