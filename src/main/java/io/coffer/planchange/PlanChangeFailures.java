package io.coffer.planchange;

import io.coffer.node.DatabaseLocks;

import java.time.Clock;
import java.util.List;

import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * A plan change that failed, or whose instance stopped, leaves the database as it was where that can be
 * done: the nodes it added are removed and the old memory set back, or the sentinels it removed are
 * started again, and the database is {@code running} on its old plan. Once the replica or HAProxy of a
 * business database is gone it cannot: the database is left in {@code error} with the reason, the nodes
 * that remain and what the operator can do. Either way the change's row says why.
 */
@Component
public class PlanChangeFailures {

	private static final Logger log = LoggerFactory.getLogger(PlanChangeFailures.class);

	private final PlanChangeSteps steps;

	private final PlanChangeRollback rollback;

	private final PlanChangeRepository changes;

	private final ProvisioningRepository repository;

	private final DatabaseLocks locks;

	private final Clock clock;

	PlanChangeFailures(PlanChangeSteps steps, PlanChangeRollback rollback, PlanChangeRepository changes,
			ProvisioningRepository repository, DatabaseLocks locks, Clock clock) {
		this.steps = steps;
		this.rollback = rollback;
		this.changes = changes;
		this.repository = repository;
		this.locks = locks;
		this.clock = clock;
	}

	/**
	 * Settles the change unless it is no longer in flight: one that completed (a failure after its last
	 * write) or that another instance's recovery took is left alone.
	 */
	public void settle(long changeId, String databaseId, String reason) {
		this.locks.withLock(databaseId, () -> {
			if (!this.changes.claimFailed(changeId, reason, this.clock.instant())) {
				log.info("The plan change {} of {} is no longer in flight: nothing to settle ({})", changeId, databaseId,
						reason);
				return;
			}
			List<String> notUndone;
			try {
				notUndone = this.rollback.undo(this.steps.change(changeId));
			}
			catch (RuntimeException ex) {
				notUndone = List.of("undoing failed: " + ex.getMessage());
			}
			try {
				if (notUndone.isEmpty()) {
					this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.RUNNING, null);
					log.warn("The plan change of {} failed and was undone: {}", databaseId, reason);
				}
				else {
					this.repository.changeStatus(databaseId, DatabaseStatus.UPDATING, DatabaseStatus.ERROR,
							"the plan change failed: " + reason + "; not undone: " + String.join("; ", notUndone));
					log.error("The plan change of {} failed and could not be undone: {}; {}", databaseId, reason,
							notUndone);
				}
			}
			catch (IllegalStateException ex) {
				log.warn("Could not record the failed plan change of {}: {}", databaseId, ex.getMessage());
			}
		});
	}

}
