package io.coffer.planchange;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InterruptedWork;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Plan changes whose instance stopped while they ran would leave their database {@code updating} for ever.
 * Those of a gone instance (see {@link StoppedInstances}) are settled like a failure: the change is undone
 * or left in {@code error}, and its execution is marked failed.
 */
@Component
@Order(4)
public class InterruptedPlanChanges implements InterruptedWork {

	static final String INTERRUPTED = JobExecutions.INTERRUPTED;

	private static final Logger log = LoggerFactory.getLogger(InterruptedPlanChanges.class);

	private final PlanChangeRepository changes;

	private final PlanChangeFailures failures;

	private final JobRepository jobRepository;

	private final Clock clock;

	InterruptedPlanChanges(PlanChangeRepository changes, PlanChangeFailures failures, JobRepository jobRepository,
			Clock clock) {
		this.changes = changes;
		this.failures = failures;
		this.jobRepository = jobRepository;
		this.clock = clock;
	}

	@Override
	public String kind() {
		return "plan changes";
	}

	/** Settles every interrupted change; answers how many there were. */
	@Override
	public int recover(StoppedInstances stopped) {
		Instant now = this.clock.instant();
		List<PlanChangeRepository.Interrupted> interrupted = this.changes.interrupted(stopped);
		for (PlanChangeRepository.Interrupted change : interrupted) {
			log.warn("The plan change {} of {} was interrupted: its instance stopped", change.id(), change.databaseId());
			this.failures.settle(change.id(), change.databaseId(), INTERRUPTED);
			JobExecutions.failInterrupted(this.jobRepository, change.jobExecutionId(), INTERRUPTED, now);
		}
		return interrupted.size();
	}

}
