package io.coffer.system;

/**
 * Who asked for a piece of work, as the {@code requested_by} column of {@code plan_changes},
 * {@code engine_upgrades} and {@code config_changes} keeps it.
 */
public final class RequestedBy {

	/** An operator, with the admin token or a dashboard session. */
	public static final String OPERATOR = "operator";

	/** The database's own token: its app, or its owner on the dashboard. */
	public static final String DATABASE_TOKEN = "database_token";

	private RequestedBy() {
	}

	/** {@link #OPERATOR} or {@link #DATABASE_TOKEN}, as the caller signed in. */
	public static String of(boolean operator) {
		return operator ? OPERATOR : DATABASE_TOKEN;
	}

}
