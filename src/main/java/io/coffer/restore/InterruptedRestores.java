package io.coffer.restore;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coffer.redis.RedisAccessException;
import io.coffer.redis.RedisConnections;
import io.coffer.redis.RedisEndpoint;
import io.coffer.redis.SentinelSet;
import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.catalog.RestoreRepository;
import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InterruptedWork;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Restores left {@code scheduled} or {@code running} by an instance that is gone become {@code error},
 * after what they left on their target is undone from their journal: a node still replicating from the
 * stopped instance's listener gets its role back (else it would stay a read-only replica of nothing), and
 * sentinels held off get their original {@code down-after-milliseconds} back (else a failover would wait
 * for the whole load timeout). Also, the failed row frees its target for the next restore.
 * <p>
 * "Gone" is judged as for backups (see {@link StoppedInstances}): no check-in with the Quartz cluster for
 * {@code coffer.housekeeping.instance-timeout}, or this very instance before its start.
 */
@Component
@Order(2)
public class InterruptedRestores implements InterruptedWork {

	private static final Logger log = LoggerFactory.getLogger(InterruptedRestores.class);

	private final RestoreRepository restores;

	private final DatabaseRepository databases;

	private final RestoreTargets targets;

	private final DumpLoader loader;

	private final RedisConnections redis;

	private final JobRepository jobRepository;

	private final Clock clock;

	InterruptedRestores(RestoreRepository restores, DatabaseRepository databases, RestoreTargets targets,
			DumpLoader loader, RedisConnections redis, JobRepository jobRepository, Clock clock) {
		this.restores = restores;
		this.databases = databases;
		this.targets = targets;
		this.loader = loader;
		this.redis = redis;
		this.jobRepository = jobRepository;
		this.clock = clock;
	}

	@Override
	public String kind() {
		return "restores";
	}

	@Override
	public int recover(StoppedInstances stopped) {
		Instant now = this.clock.instant();
		List<RestoreRepository.Interrupted> interrupted = this.restores.findInterrupted(stopped);
		int recorded = 0;
		for (RestoreRepository.Interrupted restore : interrupted) {
			// claimed first: a restore that finished meanwhile, or that another instance recovers, is not touched
			try {
				this.restores.markError(restore.id(), JobExecutions.INTERRUPTED, "being put back by another instance",
						now);
			}
			catch (RuntimeException ex) {
				log.info("Restore {} finished or was recovered meanwhile: {}", restore.id(), ex.getMessage());
				continue;
			}
			String state;
			try {
				state = undo(restore);
			}
			catch (RuntimeException ex) {
				// one restore's journal or target must not keep the others (and the rest of recovery) waiting
				log.warn("Restore {} could not be put back", restore.id(), ex);
				state = "its target could not be put back (" + ex.getMessage() + "): check that its node reports"
						+ " role:master and that its sentinels' down-after-milliseconds is back to normal";
			}
			this.restores.recordTargetState(restore.id(), state);
			recorded++;
			log.warn("Restore {} into {} was interrupted (instance {} stopped): {}", restore.id(),
					restore.targetDatabase(), restore.instanceId(), state);
			JobExecutions.failInterrupted(this.jobRepository, restore.jobExecutionId(), JobExecutions.INTERRUPTED, now);
		}
		return recorded;
	}

	/** Puts the target and its sentinels back as the journal says; answers the target's state. */
	private String undo(RestoreRepository.Interrupted restore) {
		Map<String, Object> journal = restore.recovery();
		if (journal == null) {
			return RestoreFailedException.UNTOUCHED;
		}
		if (journal.containsKey(KeyRestore.JOURNAL_KEYS)) {
			return "the instance stopped while writing the selected keys: some of them may hold the backup's values"
					+ " and others their values of before; every other key is as it was: restore the keys again";
		}
		Optional<Database> target = this.databases.findLive(restore.targetDatabase());
		if (target.isEmpty()) {
			return "the target database was deleted meanwhile";
		}
		// with the password, and TLS when the database has it forced
		RedisEndpoint node = this.targets.credentials(target.get(),
				endpoint(String.valueOf(journal.get(DumpLoader.JOURNAL_NODE))));
		String state;
		try {
			state = this.loader.undoInterrupted(node, journal);
		}
		catch (RedisAccessException ex) {
			state = "the target could not be reached to give it its role back (" + ex.getMessage() + "); if it"
					+ " reports role:slave of Coffer, run REPLICAOF NO ONE on it";
		}
		List<String> problems = releaseSentinels(target.get(), journal, node);
		return problems.isEmpty() ? state : state + "; " + String.join("; ", problems);
	}

	@SuppressWarnings("unchecked")
	private List<String> releaseSentinels(Database target, Map<String, Object> journal, RedisEndpoint node) {
		Object held = journal.get(DumpLoader.JOURNAL_SENTINELS);
		SentinelSet sentinels = this.targets.sentinels(target);
		if (!(held instanceof Map<?, ?> originals) || originals.isEmpty() || sentinels == null) {
			return List.of();
		}
		return SentinelHold.resume(this.redis, sentinels, (Map<String, String>) originals).release(node);
	}

	private static RedisEndpoint endpoint(String address) {
		int colon = address.lastIndexOf(':');
		return new RedisEndpoint(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
	}

}
