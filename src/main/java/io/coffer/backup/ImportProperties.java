package io.coffer.backup;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Imports of external dumps as backups.
 * @param maxSize the largest dump an import accepts (413 beyond), as an RDB (a {@code .tar.gz}'s
 * {@code dump.rdb} entry)
 */
@Validated
@ConfigurationProperties("coffer.import")
public record ImportProperties(@NotNull @DefaultValue("8GB") DataSize maxSize) {
}
