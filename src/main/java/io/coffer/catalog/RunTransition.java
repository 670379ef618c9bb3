package io.coffer.catalog;

import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The one way a run's status changes, for every kind of run whose life is {@link RunStatus} (backups,
 * restores, plan changes, engine upgrades, configuration changes): the change is checked against
 * {@link RunStatus}, then applied as a compare-and-set ({@code update … where status = :from}), so that of
 * two changes racing on one row (a job and the recovery of another instance) one wins and the other fails
 * loudly with {@link RunStatus.IllegalStateTransitionException}.
 */
public final class RunTransition {

	private RunTransition() {
	}

	/**
	 * Changes the status of the row of {@code table} with this id from {@code from} to {@code to}, and sets
	 * the {@code assignments} (named parameters in {@code values}) with it.
	 * @param what the run as a sentence names it, like {@code "backup 42"}
	 * @throws RunStatus.IllegalStateTransitionException when the life cycle forbids the change, or the row no
	 * longer has status {@code from}
	 */
	public static void apply(JdbcClient jdbc, String table, Object id, String what, RunStatus from, RunStatus to,
			String assignments, Map<String, Object> values) {
		from.checkCanBecome(to);
		int updated = jdbc
			.sql("update " + table + " set status = :to" + (assignments.isEmpty() ? "" : ", " + assignments)
					+ " where id = :id and status = :from")
			.params(values)
			.param("to", to.value())
			.param("id", id)
			.param("from", from.value())
			.update();
		if (updated != 1) {
			throw new RunStatus.IllegalStateTransitionException(
					what + " is no longer " + from.value() + ": another change came first");
		}
	}

	/**
	 * Fails a run still in flight ({@code scheduled} or {@code running}): answers whether this call did it,
	 * false when the run had finished already (done, or failed by another change first), which it leaves as
	 * it is.
	 */
	public static boolean failInFlight(JdbcClient jdbc, String table, Object id, String assignments,
			Map<String, Object> values) {
		return jdbc
			.sql("update " + table + " set status = 'error'" + (assignments.isEmpty() ? "" : ", " + assignments)
					+ " where id = :id and status in ('scheduled', 'running')")
			.params(values)
			.param("id", id)
			.update() == 1;
	}

}
