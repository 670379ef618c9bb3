package io.coffer.backup;

import io.coffer.system.CofferProperties;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@Configuration(proxyBeanMethods = false)
class BackupConfiguration {

	/**
	 * The pool backups run on: its size is this instance's limit of concurrent backups (each forks a
	 * Redis and keeps a core busy compressing), its queue the backups waiting for a turn.
	 */
	@Bean
	ThreadPoolTaskExecutor backupExecutor(CofferProperties properties) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		int limit = properties.getBackup().effectiveMaxConcurrent();
		executor.setCorePoolSize(limit);
		executor.setMaxPoolSize(limit);
		executor.setQueueCapacity(10_000);
		executor.setThreadNamePrefix("backup-");
		executor.setWaitForTasksToCompleteOnShutdown(false);
		return executor;
	}

	@Bean
	NodeSelector nodeSelector(RedisConnections connections, CofferProperties properties) {
		CofferProperties.Backup backup = properties.getBackup();
		return new NodeSelector(connections, backup.getMaxReplicaLagBytes(), backup.getMaxReplicaSilence());
	}

	@Bean
	ReplicationStreamSnapshot replicationStreamSnapshot(RedisConnections connections, CofferProperties properties) {
		return new ReplicationStreamSnapshot(connections, properties.getBackup().getSnapshotTimeout());
	}

	@Bean
	BgsaveSnapshot bgsaveSnapshot(RedisConnections connections, CofferProperties properties) {
		CofferProperties.Backup backup = properties.getBackup();
		return new BgsaveSnapshot(connections, backup.getPathMapping(), backup.getSnapshotTimeout());
	}

}
