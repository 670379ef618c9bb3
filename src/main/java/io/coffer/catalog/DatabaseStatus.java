package io.coffer.catalog;

import java.util.Map;
import java.util.Set;

/**
 * The statuses of a database and the changes allowed between them. A registered database is
 * {@code running} from the start; a provisioned one is {@code provisioning} until its nodes answer.
 */
public final class DatabaseStatus {

	public static final String PROVISIONING = "provisioning";

	public static final String RUNNING = "running";

	public static final String ERROR = "error";

	/** Its plan is being changed: nodes are resized, added or removed; nothing else may change it meanwhile. */
	public static final String UPDATING = "updating";

	public static final String DELETING = "deleting";

	public static final String DELETED = "deleted";

	private static final Map<String, Set<String>> allowed = Map.of(
			PROVISIONING, Set.of(RUNNING, ERROR),
			RUNNING, Set.of(DELETING, UPDATING),
			UPDATING, Set.of(RUNNING, ERROR),
			ERROR, Set.of(DELETING),
			DELETING, Set.of(DELETED, ERROR));

	private DatabaseStatus() {
	}

	public static boolean canChange(String from, String to) {
		return allowed.getOrDefault(from, Set.of()).contains(to);
	}

}
