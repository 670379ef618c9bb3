package io.coffer.schedule;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the service-wide schedules are.
 * @param schedulesDir the service-wide cron schedules, reconciled into Quartz at start-up
 */
@Validated
@ConfigurationProperties("coffer")
public record ServiceSchedulesProperties(@NotNull @DefaultValue("schedules") Path schedulesDir) {
}
