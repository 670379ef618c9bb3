package io.coffer.schedule;

import java.util.Properties;

import io.coffer.system.CofferInstance;

import org.springframework.boot.quartz.autoconfigure.QuartzProperties;
import org.springframework.boot.quartz.autoconfigure.SchedulerFactoryBeanCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ScheduleConfiguration {

	/**
	 * Quartz checks in under this instance's id (the id written on the backups it runs, so that the
	 * others can tell when it is gone), and treats as misfired only the triggers later than the grace:
	 * a later one is not run that day ({@code MISFIRE_INSTRUCTION_DO_NOTHING}) but recorded as skipped.
	 */
	@Bean
	SchedulerFactoryBeanCustomizer clusterMembership(QuartzProperties quartz, ScheduleProperties schedule,
			CofferInstance instance, MissedBackupListener missedBackups) {
		return (factory) -> {
			Properties settings = new Properties();
			settings.putAll(quartz.getProperties());
			settings.put("org.quartz.scheduler.instanceId", instance.id());
			settings.put("org.quartz.jobStore.class", ContextLocalJobStore.class.getName());
			settings.put("org.quartz.jobStore.misfireThreshold",
					String.valueOf(schedule.misfireGrace().toMillis()));
			factory.setQuartzProperties(settings);
			factory.setGlobalTriggerListeners(missedBackups);
		};
	}

}
