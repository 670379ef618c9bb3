package io.coffer.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * What provisioning records beyond a registered database: the nodes it made with their driver data,
 * the ports they hold, and the database's status with the reason of an error.
 */
@Repository
public class ProvisioningRepository {

	// driver_data is our own storage format: it must not follow the API's naming settings
	private static final JsonMapper json = JsonMapper.builder().build();

	private final JdbcClient jdbc;

	ProvisioningRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	public ManagedNode addNode(String databaseId, String role, String host, int port, ManagedNode.DriverData data) {
		long id = this.jdbc.sql("""
				insert into nodes (database_id, role, host, port, driver_data) values (?, ?, ?, ?, ?::jsonb)
				returning id
				""").params(databaseId, role, host, port, json.writeValueAsString(data)).query(Long.class).single();
		return new ManagedNode(id, databaseId, role, host, port, data);
	}

	/** Records where a node now listens and what its driver knows of it (a new pid after a restart). */
	public void updateNode(ManagedNode node) {
		this.jdbc.sql("update nodes set port = ?, driver_data = ?::jsonb where id = ?")
			.params(node.port(), json.writeValueAsString(node.driverData()), node.id())
			.update();
	}

	/** The node is gone (a plan change removed it): its port is free again. */
	public void removeNode(long nodeId) {
		this.jdbc.sql("delete from nodes where id = ?").param(nodeId).update();
	}

	/** A failover swapped roles: the catalogue follows, for what the API shows. */
	public void updateRole(long nodeId, String role) {
		this.jdbc.sql("update nodes set role = ? where id = ?").params(role, nodeId).update();
	}

	/** The nodes a driver made for the database, in the order they were recorded. */
	public List<ManagedNode> nodesOf(String databaseId) {
		return this.jdbc.sql("""
				select * from nodes where database_id = ? and driver_data is not null order by id
				""").param(databaseId).query(ProvisioningRepository::node).list();
	}

	/** The nodes of a driver that should be up: those of running databases. */
	public List<ManagedNode> runningNodes(String driver) {
		return this.jdbc.sql("""
				select n.* from nodes n join databases d on d.id = n.database_id
				where d.deleted_at is null and d.status = ? and n.driver_data ->> 'driver' = ?
				order by n.id
				""").params(DatabaseStatus.RUNNING, driver).query(ProvisioningRepository::node).list();
	}

	/** Ports that nodes of databases not yet deleted hold on this host. */
	public Set<Integer> portsInUse(String host) {
		return new HashSet<>(this.jdbc.sql("""
				select n.port from nodes n join databases d on d.id = n.database_id
				where d.deleted_at is null and n.host = ?
				""").param(host).query(Integer.class).list());
	}

	/** The databases not yet deleted that have nodes of this driver. */
	public Set<String> liveDatabasesOf(String driver) {
		return new HashSet<>(this.jdbc.sql("""
				select distinct n.database_id from nodes n join databases d on d.id = n.database_id
				where d.deleted_at is null and n.driver_data ->> 'driver' = ?
				""").param(driver).query(String.class).list());
	}

	/** Which instance runs the database's provisioning, for recovery if it stops meanwhile. */
	public void recordProvisioningInstance(String databaseId, String instanceId) {
		this.jdbc.sql("update databases set provisioning_instance = ? where id = ?").params(instanceId, databaseId).update();
	}

	/** Databases still {@code provisioning} whose instance has stopped (see {@link StoppedInstances}). */
	public List<String> interruptedProvisionings(StoppedInstances stopped) {
		return stopped.bind(this.jdbc.sql("select d.id from databases d where d.status = 'provisioning' and "
				+ StoppedInstances.condition("d.provisioning_instance", "d.created_at")))
			.query(String.class)
			.list();
	}

	/** Addresses ({@code host:port}) of nodes that databases not yet deleted hold. */
	public Set<String> addressesInUse() {
		return new HashSet<>(this.jdbc.sql("""
				select n.host || ':' || n.port from nodes n join databases d on d.id = n.database_id
				where d.deleted_at is null
				""").query(String.class).list());
	}

	public Optional<String> status(String databaseId) {
		return this.jdbc.sql("select status from databases where id = ?").param(databaseId).query(String.class).optional();
	}

	public Optional<String> statusReason(String databaseId) {
		return this.jdbc.sql("select status_reason from databases where id = ?")
			.param(databaseId)
			.query(String.class)
			.optional();
	}

	/**
	 * Moves the database from {@code from} to {@code to}, recording {@code reason} (or clearing it).
	 * @throws IllegalStateException when the change is not allowed or the database is no longer in {@code from}
	 */
	public void changeStatus(String databaseId, String from, String to, String reason) {
		if (!DatabaseStatus.canChange(from, to)) {
			throw new IllegalStateException("a database cannot go from " + from + " to " + to);
		}
		int changed = this.jdbc.sql("update databases set status = ?, status_reason = ? where id = ? and status = ?")
			.params(to, reason, databaseId, from)
			.update();
		if (changed != 1) {
			throw new IllegalStateException("database " + databaseId + " is no longer " + from + " (now "
					+ status(databaseId).orElse("gone") + ")");
		}
	}

	/** The database is deleted: its id stays (backups refer to it), its app may have a new one. */
	public void markDeleted(String databaseId, Instant at) {
		changeStatus(databaseId, DatabaseStatus.DELETING, DatabaseStatus.DELETED, null);
		this.jdbc.sql("update databases set deleted_at = ? where id = ?").params(Timestamp.from(at), databaseId).update();
	}

	private static ManagedNode node(ResultSet rs, int rowNum) throws SQLException {
		return new ManagedNode(rs.getLong("id"), rs.getString("database_id"), rs.getString("role"),
				rs.getString("host"), rs.getInt("port"),
				json.readValue(rs.getString("driver_data"), ManagedNode.DriverData.class));
	}

}
