package io.coffer.node;

import java.time.Period;
import java.util.List;

/**
 * A plan databases are provisioned from, as {@code plans.yml} declares it.
 *
 * @param name like {@code redis-starter-1024}
 * @param memoryMb Redis' {@code maxmemory} on each data node
 * @param nodes data nodes: a primary, and a replica when there are two
 * @param sentinels sentinels that fail over to the replica
 * @param haproxy HAProxy entry points: a leader, then a backup
 * @param retention how many backups are kept
 * @param everyHours the intervals of periodic backups the plan allows, in hours (24: once a day)
 * @param pitr whether its databases archive their replication stream for point-in-time recovery unless their
 * owner chose otherwise
 */
public record Plan(String name, int memoryMb, int nodes, int sentinels, int haproxy, Retention retention,
		List<Integer> everyHours, boolean pitr) {

	/** The intervals a periodic backup may have, in hours: those that divide a day; a plan allows some of them. */
	public static final List<Integer> EVERY_HOURS = List.of(1, 2, 3, 4, 6, 8, 12, 24);

	/** A plan with only daily backups, as plans were before sub-daily schedules. */
	public Plan(String name, int memoryMb, int nodes, int sentinels, int haproxy, Retention retention) {
		this(name, memoryMb, nodes, sentinels, haproxy, retention, List.of(24), false);
	}

	/** Whether the plan runs a replica behind sentinels and HAProxy, as business plans do. */
	public boolean highlyAvailable() {
		return this.nodes > 1;
	}

	/**
	 * Backups kept per kind, and how long they stay once the database is deleted.
	 */
	public record Retention(int daily, int weekly, int monthly, int manual, Period afterDeletion) {
	}

}
