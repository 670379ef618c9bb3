package io.coffer.catalog;

import java.sql.Timestamp;
import java.time.Instant;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Which rows in flight belong to a Coffer instance that has stopped, for the recovery of backups,
 * restores, provisionings, plan changes, engine upgrades and configuration changes. Stopped: this very
 * instance ({@code me}) before its last start ({@code myStart}, a restart with the same id), or another one
 * that has not checked in with the Quartz cluster ({@code qrtz_scheduler_state}) since {@code silentSince},
 * while its row is older than that, so that a long but live job is never cut.
 * <p>
 * One value per round of recovery, taken once, so that every kind of work is judged against the same moment.
 */
public record StoppedInstances(String me, Instant myStart, Instant silentSince) {

	/**
	 * The SQL condition, on a row's instance column and the time it started; bind its parameters with
	 * {@link #bind}. A row without an instance was written before its kind recorded one, perhaps by an
	 * instance of an earlier version still running it: it is taken only once a day older than that.
	 */
	public static String condition(String instanceColumn, String startedColumn) {
		return """
				((%1$s = :me and %2$s < :myStart)
				 or (%1$s <> :me and %2$s < :silentSince and not exists (
				     select 1 from qrtz_scheduler_state s
				     where s.instance_name = %1$s and s.last_checkin_time >= :silentSinceMillis))
				 or (%1$s is null and %2$s < cast(:silentSince as timestamptz) - interval '1 day'))"""
			.formatted(instanceColumn, startedColumn);
	}

	public static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, String me, Instant myStart,
			Instant silentSince) {
		return statement.param("me", me)
			.param("myStart", Timestamp.from(myStart))
			.param("silentSince", Timestamp.from(silentSince))
			.param("silentSinceMillis", silentSince.toEpochMilli());
	}

	/** Binds the parameters of {@link #condition} to this round's values. */
	public JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement) {
		return bind(statement, this.me, this.myStart, this.silentSince);
	}

}
