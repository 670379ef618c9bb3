package io.coffer.provision;

import io.coffer.planchange.PlanChangeFailures;
import io.coffer.planchange.PlanChangeRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.coffer.catalog.ProvisioningRepository;
import io.coffer.system.CofferInstance;
import io.coffer.system.ClusterProperties;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Provisionings and plan changes whose instance stopped while they ran would leave their database
 * {@code provisioning} or {@code updating} for ever, out of the supervisor's care (and a database still
 * provisioning cannot be deleted). At start-up, and then every {@code coffer.housekeeping.instance-timeout},
 * those of a gone instance (see {@link io.coffer.catalog.StoppedInstances}) are settled like a failure: a
 * provisioning's nodes are removed and the database is {@code error} with the reason, a plan change is
 * undone or left in {@code error}, and its execution is marked failed.
 */
@Component
public class InterruptedProvisioning implements DisposableBean {

	static final String INTERRUPTED = JobExecutions.INTERRUPTED;

	private static final Logger log = LoggerFactory.getLogger(InterruptedProvisioning.class);

	private final PlanChangeRepository changes;

	private final PlanChangeFailures failures;

	private final ProvisioningRepository provisionings;

	private final ProvisionFailures provisionFailures;

	private final JobRepository jobRepository;

	private final CofferInstance instance;

	private final ClusterProperties cluster;

	private final Clock clock;

	private volatile ScheduledExecutorService executor;

	InterruptedProvisioning(PlanChangeRepository changes, PlanChangeFailures failures, JobRepository jobRepository,
			CofferInstance instance, ClusterProperties cluster, Clock clock, ProvisioningRepository provisionings,
			ProvisionFailures provisionFailures) {
		this.provisionings = provisionings;
		this.provisionFailures = provisionFailures;
		this.changes = changes;
		this.failures = failures;
		this.jobRepository = jobRepository;
		this.instance = instance;
		this.cluster = cluster;
		this.clock = clock;
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "provisioning-recovery");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.cluster.instanceTimeout().toMillis();
		this.executor.scheduleWithFixedDelay(this::recoverQuietly, 0, interval, TimeUnit.MILLISECONDS);
	}

	/** Removes what every interrupted provisioning started; answers how many there were. */
	int recoverProvisionings() {
		Instant now = this.clock.instant();
		List<String> interrupted = this.provisionings.interruptedProvisionings(this.instance.id(),
				this.instance.startedAt(), now.minus(this.cluster.instanceTimeout()));
		for (String databaseId : interrupted) {
			log.warn("The provisioning of {} was interrupted: its instance stopped", databaseId);
			this.provisionFailures.record(databaseId, new IllegalStateException(INTERRUPTED));
		}
		return interrupted.size();
	}

	/** Settles every interrupted change; answers how many there were. */
	public int recover() {
		Instant now = this.clock.instant();
		List<PlanChangeRepository.Interrupted> interrupted = this.changes.interrupted(this.instance.id(),
				this.instance.startedAt(), now.minus(this.cluster.instanceTimeout()));
		for (PlanChangeRepository.Interrupted change : interrupted) {
			log.warn("The plan change {} of {} was interrupted: its instance stopped", change.id(), change.databaseId());
			this.failures.settle(change.id(), change.databaseId(), INTERRUPTED);
			JobExecutions.failInterrupted(this.jobRepository, change.jobExecutionId(), INTERRUPTED, now);
		}
		return interrupted.size();
	}

	private void recoverQuietly() {
		try {
			recoverProvisionings();
			recover();
		}
		catch (RuntimeException ex) {
			log.warn("Interrupted provisionings or plan changes could not be recovered this round: {}",
					ex.getMessage(), ex);
		}
	}

	@Override
	public void destroy() {
		ScheduledExecutorService running = this.executor;
		if (running != null) {
			running.shutdownNow();
		}
	}

}
