package io.coffer.housekeeping;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.coffer.backup.BackupFinished;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.catalog.StoppedInstances;
import io.coffer.storage.BlobStore;
import io.coffer.storage.PendingUpload;
import io.coffer.system.ClusterProperties;
import io.coffer.system.CofferInstance;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Backups left {@code scheduled} or {@code running} by an instance that is gone become {@code error},
 * and what they were uploading is aborted.
 * <p>
 * "Gone" is read from Quartz's own cluster heartbeat ({@code qrtz_scheduler_state}): every instance
 * checks in every few seconds, and each backup row names the instance that runs it. An instance
 * without a check-in for {@code coffer.housekeeping.instance-timeout} has stopped, whatever its
 * backups' age or progress; a long but live backup is never cut. Rows that this same instance id
 * left before its last start are interrupted too (a restart with a fixed id).
 */
@Component
public class RecoverInterruptedBackupsTask {

	static final String INTERRUPTED = JobExecutions.INTERRUPTED;

	private static final Logger log = LoggerFactory.getLogger(RecoverInterruptedBackupsTask.class);

	private final JdbcClient jdbc;

	private final BackupRepository backups;

	private final BlobStore store;

	private final JobRepository jobRepository;

	private final CofferInstance instance;

	private final HousekeepingProperties settings;

	private final ClusterProperties cluster;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	RecoverInterruptedBackupsTask(JdbcClient jdbc, BackupRepository backups, BlobStore store,
			JobRepository jobRepository, CofferInstance instance, HousekeepingProperties settings,
			ClusterProperties cluster, Clock clock,
			ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.backups = backups;
		this.store = store;
		this.jobRepository = jobRepository;
		this.instance = instance;
		this.settings = settings;
		this.cluster = cluster;
		this.clock = clock;
		this.events = events;
	}

	public record Result(int interrupted, int uploadsAborted) {
	}

	record Interrupted(String id, String databaseId, String objectKey, String instanceId, Long jobExecutionId) {
	}

	public Result run() {
		Instant now = this.clock.instant();
		int interrupted = 0;
		int aborted = 0;
		for (Interrupted backup : interrupted(now)) {
			try {
				this.backups.markError(backup.id(), INTERRUPTED, now);
				interrupted++;
				log.warn("Backup {} of {} was interrupted: instance {} stopped", backup.id(), backup.databaseId(),
						backup.instanceId());
			}
			catch (RuntimeException ex) {
				// finished meanwhile, or gone: nothing to recover
				continue;
			}
			this.backups.find(backup.databaseId(), backup.id())
				.ifPresent((failed) -> this.events.publishEvent(BackupFinished.of(failed, "interrupted")));
			aborted += abortUploads(backup.objectKey(), Instant.MAX);
			JobExecutions.failInterrupted(this.jobRepository, backup.jobExecutionId(), INTERRUPTED, now);
		}
		aborted += abortAbandonedUploads(now);
		if (interrupted > 0 || aborted > 0) {
			log.info("Recovery: {} interrupted backups recorded, {} uploads aborted", interrupted, aborted);
		}
		return new Result(interrupted, aborted);
	}

	private List<Interrupted> interrupted(Instant now) {
		Instant silentSince = now.minus(this.cluster.instanceTimeout());
		return StoppedInstances.bind(this.jdbc.sql("""
				select b.id, b.database_id, b.object_key, b.instance_id, b.job_execution_id from backups b
				where b.status in ('scheduled', 'running') and """
				+ StoppedInstances.condition("b.instance_id", "b.created_at")), this.instance.id(),
				this.instance.startedAt(), silentSince)
			.query((rs, i) -> new Interrupted(rs.getString("id"), rs.getString("database_id"),
					rs.getString("object_key"), rs.getString("instance_id"), rs.getObject("job_execution_id", Long.class)))
			.list();
	}

	/**
	 * Uploads that no backup in flight is writing: those of failed backups at once (their object must
	 * never appear), any other once older than the abandoned-upload age.
	 */
	private int abortAbandonedUploads(Instant now) {
		Set<String> inFlight = new HashSet<>(this.jdbc
			.sql("select object_key from backups where status in ('scheduled', 'running')")
			.query(String.class)
			.list());
		int aborted = 0;
		try {
			for (PendingUpload upload : this.store.pendingUploads("")) {
				if (inFlight.contains(upload.key())) {
					continue;
				}
				boolean failed = this.jdbc.sql("select count(*) from backups where object_key = ? and status = 'error'")
					.param(upload.key())
					.query(Integer.class)
					.single() > 0;
				if (failed || upload.initiated() == null
						|| upload.initiated().isBefore(now.minus(this.settings.abandonedUploadAge()))) {
					this.store.abortPending(upload);
					aborted++;
				}
			}
		}
		catch (IOException ex) {
			log.warn("Abandoned uploads could not be listed or aborted: {}", ex.getMessage());
		}
		return aborted;
	}

	private int abortUploads(String key, Instant olderThan) {
		int aborted = 0;
		try {
			for (PendingUpload upload : this.store.pendingUploads(key)) {
				if (upload.key().equals(key) && upload.initiated().isBefore(olderThan)) {
					this.store.abortPending(upload);
					aborted++;
				}
			}
		}
		catch (IOException ex) {
			log.warn("The upload of {} could not be aborted: {}", key, ex.getMessage());
		}
		return aborted;
	}

}
