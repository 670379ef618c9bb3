package io.coffer.planchange;

import java.time.Instant;
import java.util.Map;

/**
 * A database moved to another plan: its nodes run the new one, and its app should restart to take the
 * connection variables, which change when HAProxy comes or goes.
 *
 * @param databaseId the database
 * @param app its app
 * @param fromPlan the plan it had
 * @param toPlan the plan it has now
 * @param env {@code REDIS_URL} and its prefixed alias, as they are now
 * @param changedAt when the change ended
 */
public record PlanChanged(String databaseId, String app, String fromPlan, String toPlan, Map<String, String> env,
		Instant changedAt) {
}
