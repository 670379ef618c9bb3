package io.coffer.redis;

/**
 * The node a backup will read, and why it was chosen.
 *
 * @param endpoint the node
 * @param role {@value #REPLICA} or {@value #PRIMARY}, as the node itself reported it
 * @param reason a sentence for the backup's record, e.g. why a replica was skipped
 */
public record SelectedNode(RedisEndpoint endpoint, String role, String reason) {

	public static final String REPLICA = "replica";

	public static final String PRIMARY = "primary";

	public boolean isReplica() {
		return REPLICA.equals(this.role);
	}

}
