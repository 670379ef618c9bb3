package io.coffer.catalog;

import io.coffer.system.Conflict;

/**
 * Other work on the database (its provisioning, a plan change, an engine upgrade, a TLS switch…)
 * blocks what was asked until it is done. The code says which work: {@code database_busy} for any
 * {@link DatabaseWork}, the others for the statuses and kinds callers tell apart.
 */
public class DatabaseBusy extends Conflict {

	private DatabaseBusy(String code, String message) {
		super(code, message);
	}

	/** Work recorded in {@link DatabaseWork} is in flight. */
	public static DatabaseBusy working(String message) {
		return new DatabaseBusy("database_busy", message);
	}

	/** The database is {@link DatabaseStatus#PROVISIONING}: its nodes are not up yet. */
	public static DatabaseBusy provisioning(String message) {
		return new DatabaseBusy("database_provisioning", message);
	}

	/** The database is {@link DatabaseStatus#UPDATING}: its nodes are being added or removed. */
	public static DatabaseBusy updating(String message) {
		return new DatabaseBusy("database_updating", message);
	}

	/** A plan change of the database is in flight (asked again, or asked while one runs). */
	public static DatabaseBusy changingPlan(String message) {
		return new DatabaseBusy("plan_change_in_progress", message);
	}

	/** An engine upgrade of the database is in flight. */
	public static DatabaseBusy upgrading(String message) {
		return new DatabaseBusy("upgrade_in_progress", message);
	}

}
