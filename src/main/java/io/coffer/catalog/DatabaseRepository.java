package io.coffer.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

@Repository
public class DatabaseRepository {

	/** The name under which a database's Redis password is sealed in {@code credentials}. */
	public static final String REDIS_PASSWORD = "redis-password";

	private final JdbcClient jdbc;

	DatabaseRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Transactional
	public void insert(Database database) {
		this.jdbc.sql("""
				insert into databases (id, app, plan, kind, status, acquisition_mode, sentinel_master,
				                       schedule_enabled, schedule_hour_utc, created_at)
				values (:id, :app, :plan, :kind, :status, :mode, :sentinelMaster, :scheduleEnabled, :hour, :createdAt)
				""")
			.param("id", database.id())
			.param("app", database.app())
			.param("plan", database.plan())
			.param("kind", database.kind())
			.param("status", database.status())
			.param("mode", database.acquisitionMode())
			.param("sentinelMaster", database.sentinelMaster())
			.param("scheduleEnabled", database.scheduleEnabled())
			.param("hour", database.scheduleHourUtc())
			.param("createdAt", Timestamp.from(database.createdAt()))
			.update();
		for (Node node : database.nodes()) {
			this.jdbc.sql("insert into nodes (database_id, role, host, port) values (?, ?, ?, ?)")
				.params(database.id(), node.role(), node.host(), node.port())
				.update();
		}
	}

	public boolean idExists(String id) {
		return this.jdbc.sql("select count(*) from databases where id = ?").param(id).query(Integer.class).single() > 0;
	}

	public boolean liveAppExists(String app) {
		return this.jdbc.sql("select count(*) from databases where app = ? and deleted_at is null")
			.param(app)
			.query(Integer.class)
			.single() > 0;
	}

	public Optional<Database> findLive(String id) {
		return this.jdbc.sql("select * from databases where id = ? and deleted_at is null")
			.param(id)
			.query(this::row)
			.optional()
			.map(this::withNodes);
	}

	public List<Database> findAllLive() {
		List<Database> databases = this.jdbc.sql("select * from databases where deleted_at is null order by id")
			.query(this::row)
			.list();
		Map<String, List<Node>> nodes = new HashMap<>();
		this.jdbc.sql("select database_id, role, host, port from nodes order by id").query((rs) -> {
			nodes.computeIfAbsent(rs.getString("database_id"), (key) -> new ArrayList<>()).add(node(rs));
		});
		return databases.stream().map((db) -> db.withNodesOf(nodes)).toList();
	}

	public void saveSecret(String databaseId, String name, String sealed) {
		this.jdbc.sql("""
				insert into credentials (database_id, name, sealed) values (?, ?, ?)
				on conflict (database_id, name) do update set sealed = excluded.sealed
				""").params(databaseId, name, sealed).update();
	}

	public Optional<String> findSecret(String databaseId, String name) {
		return this.jdbc.sql("select sealed from credentials where database_id = ? and name = ?")
			.params(databaseId, name)
			.query(String.class)
			.optional();
	}

	private Database withNodes(Database database) {
		List<Node> nodes = this.jdbc.sql("select role, host, port from nodes where database_id = ? order by id")
			.param(database.id())
			.query((rs, i) -> node(rs))
			.list();
		return database.withNodes(nodes);
	}

	private Database row(ResultSet rs, int rowNum) throws SQLException {
		Integer hour = rs.getObject("schedule_hour_utc", Integer.class);
		return new Database(rs.getString("id"), rs.getString("app"), rs.getString("plan"), rs.getString("kind"),
				rs.getString("status"), rs.getString("acquisition_mode"), rs.getString("sentinel_master"),
				rs.getBoolean("schedule_enabled"), hour, rs.getTimestamp("created_at").toInstant(), List.of());
	}

	private static Node node(ResultSet rs) throws SQLException {
		return new Node(rs.getString("role"), rs.getString("host"), rs.getInt("port"));
	}

}
