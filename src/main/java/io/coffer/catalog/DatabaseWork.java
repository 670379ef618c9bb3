package io.coffer.catalog;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The work in flight on a database across the cluster, read from each kind's own rows: what a job that
 * moves or restarts nodes must not run under, and must not be run under.
 */
@Repository
public class DatabaseWork {

	/** The kinds of work, each with the sentence that names it and the rows that say it is in flight. */
	public enum Kind {

		/**
		 * A backup asked for or scheduled. Not the base a point-in-time archiver takes after a full synchronisation
		 * (method {@code archive}): it comes whenever the node wants, and the archiver takes another when a restore,
		 * an upgrade or a switch breaks its connection, so a user's work need not wait for it.
		 */
		BACKUP("a backup", "select 1 from backups where database_id = :db and status in ('scheduled', 'running')"
				+ " and method <> '" + Backup.ARCHIVE + "'"),

		RESTORE("a restore into it",
				"select 1 from restores where target_database = :db and status in ('scheduled', 'running')"),

		CONFIG_CHANGE("a configuration change",
				"select 1 from config_changes where database_id = :db and status in ('scheduled', 'running')"),

		/** A configuration change that forces TLS or turns it off: it switches every node's port. */
		TLS_SWITCH("a TLS switch", "select 1 from config_changes where database_id = :db"
				+ " and status in ('scheduled', 'running') and settings ->> 'force_tls' is not null"),

		PLAN_CHANGE("a plan change",
				"select 1 from plan_changes where database_id = :db and status in ('scheduled', 'running')"),

		ENGINE_UPGRADE("an engine upgrade",
				"select 1 from engine_upgrades where database_id = :db and status in ('scheduled', 'running')");

		private final String description;

		private final String rows;

		Kind(String description, String rows) {
			this.description = description;
			this.rows = rows;
		}

	}

	private final JdbcClient jdbc;

	private final TransactionTemplate transaction;

	DatabaseWork(JdbcClient jdbc, TransactionTemplate transaction) {
		this.jdbc = jdbc;
		this.transaction = transaction;
	}

	/**
	 * Starts a kind of work on the database unless work it must not run beside is in flight: {@code start}
	 * records the new work (and may refuse on the database's status, which it is given) in one transaction
	 * with the database's row locked, so that two kinds of work asked at the same moment, on two instances,
	 * cannot both pass the check.
	 * @param busy the refusal for the work found in flight, named as a sentence such as "a backup"
	 * @param start records the work, given the database's status; what it answers is answered
	 */
	public <T> T startExclusively(String databaseId, Set<Kind> blocking, Function<String, RuntimeException> busy,
			Function<String, T> start) {
		return this.transaction.execute((transaction) -> {
			String status = this.jdbc.sql("select status from databases where id = ? for update")
				.param(databaseId)
				.query(String.class)
				.optional()
				.orElse(null);
			if (!blocking.isEmpty()) {
				inFlight(databaseId, blocking).ifPresent((work) -> {
					throw busy.apply(work);
				});
			}
			return start.apply(status);
		});
	}

	/** The first of these kinds in flight on the database, as a sentence such as "a backup". */
	public Optional<String> inFlight(String databaseId, Set<Kind> kinds) {
		List<String> branches = new ArrayList<>();
		for (Kind kind : EnumSet.copyOf(kinds)) {
			branches.add("select '" + kind.description + "' where exists (" + kind.rows + ")");
		}
		return this.jdbc.sql(String.join(" union all ", branches) + " limit 1")
			.param("db", databaseId)
			.query(String.class)
			.optional();
	}

}
