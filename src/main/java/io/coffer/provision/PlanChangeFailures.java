package io.coffer.provision;

import java.time.Clock;
import java.util.List;

import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * A plan change that failed, or whose instance stopped, leaves the database as it was where that can be
 * done: the nodes it added are removed and the old memory set back, and the database is {@code running}
 * on its old plan. Once nodes were being removed it cannot: the database is left in {@code error} with
 * the reason and the nodes that remain. Either way the change's row says why.
 */
@Component
class PlanChangeFailures {

	private static final Logger log = LoggerFactory.getLogger(PlanChangeFailures.class);

	private final PlanChangeSteps steps;

	private final PlanChangeRepository changes;

	private final ProvisioningRepository repository;

	private final DatabaseLocks locks;

	private final Clock clock;

	PlanChangeFailures(PlanChangeSteps steps, PlanChangeRepository changes, ProvisioningRepository repository,
			DatabaseLocks locks, Clock clock) {
		this.steps = steps;
		this.changes = changes;
		this.repository = repository;
		this.locks = locks;
		this.clock = clock;
	}

	/**
	 * @param removalStarted whether the job had reached {@code removePlanNodesStep}
	 */
	void settle(long changeId, String databaseId, String reason, boolean removalStarted) {
		this.locks.withLock(databaseId, () -> {
			List<String> notUndone;
			try {
				PlanChangeRepository.PlanChange change = this.steps.change(changeId);
				notUndone = this.steps.undo(change, removalStarted && this.steps.removesNodes(change));
			}
			catch (RuntimeException ex) {
				notUndone = List.of("undoing failed: " + ex.getMessage());
			}
			this.changes.finished(changeId, PlanChangeRepository.ERROR, reason, this.clock.instant());
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
