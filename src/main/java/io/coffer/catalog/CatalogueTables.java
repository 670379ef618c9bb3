package io.coffer.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The catalogue's own state as rows, for its snapshots in the bucket: read in one consistent read
 * (every table as of the same moment, with the changes that moment had seen), and written back into an
 * empty catalogue. Rows travel as PostgreSQL's own JSON of them ({@code to_jsonb}), every column as
 * stored: sealed secrets stay sealed, tokens are their SHA-256. Written back, a row fills the columns
 * this catalogue has and the JSON names; a column it lacks (an older snapshot) gets its default.
 * <p>
 * What changed since the last snapshot is what the triggers of V59 recorded in {@code catalogue_changes}.
 */
@Repository
public class CatalogueTables {

	/**
	 * The tables a snapshot holds, in an order in which each row's references are already back: databases,
	 * their nodes, sealed secrets, tokens' hashes, TLS, and the backups' index (with the periodic runs
	 * skipped), and point-in-time recovery's archivers, the segments of their streams and the gaps. Schedules,
	 * plans and retention are columns of {@code databases}. Not the history of work (restores, configuration and
	 * plan changes, upgrades) nor the webhooks' outbox.
	 */
	public static final List<String> TABLES = List.of("databases", "nodes", "credentials", "tokens", "database_tls",
			"certificate_authority", "backups", "backup_skips", "pitr_archivers", "pitr_segments", "pitr_gaps");

	private static final Map<String, String> ORDER = Map.ofEntries(Map.entry("databases", "id"),
			Map.entry("nodes", "id"), Map.entry("credentials", "database_id, name"),
			Map.entry("tokens", "token_sha256"), Map.entry("database_tls", "database_id"),
			Map.entry("certificate_authority", "id"), Map.entry("backups", "id"), Map.entry("backup_skips", "id"),
			Map.entry("pitr_archivers", "database_id"), Map.entry("pitr_segments", "id"), Map.entry("pitr_gaps", "id"));

	/** The serial ids whose sequences must follow the rows written back. */
	private static final List<String> SERIALS = List.of("nodes", "backup_skips", "pitr_segments", "pitr_gaps");

	// one writer of snapshots (or one rebuild) at a time across instances
	private static final long LOCK = 0x436f666665724353L;

	private final JdbcClient jdbc;

	private final DataSource dataSource;

	private final TransactionTemplate consistentRead;

	CatalogueTables(JdbcClient jdbc, DataSource dataSource, PlatformTransactionManager transactions) {
		this.jdbc = jdbc;
		this.dataSource = dataSource;
		this.consistentRead = new TransactionTemplate(transactions);
		this.consistentRead.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.consistentRead.setReadOnly(true);
	}

	/** Receives the rows of a consistent read, table by table in {@link #TABLES}' order. */
	public interface RowSink {

		void row(String table, String json) throws IOException;

	}

	/** What one consistent read held: the changes it had seen and the rows it passed on, by table. */
	public record Export(List<Long> changes, Map<String, Long> rows) {
	}

	/**
	 * Reads every table of {@link #TABLES} as of one moment into {@code sink}; nothing (empty) when the
	 * catalogue has no database at all, which is a new one: its snapshot would only hide the previous
	 * catalogue's.
	 */
	public Optional<Export> export(RowSink sink) throws IOException {
		try {
			return this.consistentRead.execute((status) -> {
				List<Long> changes = this.jdbc.sql("select id from catalogue_changes order by id").query(Long.class).list();
				if (isEmpty()) {
					return Optional.<Export>empty();
				}
				Map<String, Long> rows = new LinkedHashMap<>();
				for (String table : TABLES) {
					long[] count = new long[1];
					this.jdbc.sql("select to_jsonb(t)::text from " + table + " t order by " + ORDER.get(table))
						.query((ResultSet rs) -> {
							try {
								sink.row(table, rs.getString(1));
							}
							catch (IOException ex) {
								throw new UncheckedIOException(ex);
							}
							count[0]++;
						});
					rows.put(table, count[0]);
				}
				return Optional.of(new Export(changes, rows));
			});
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
	}

	/** No database has ever been recorded (a deleted one keeps its row). */
	public boolean isEmpty() {
		return this.jdbc.sql("select not exists (select 1 from databases)").query(Boolean.class).single();
	}

	/** Whether a change is recorded that no snapshot holds yet. */
	public boolean changesPending() {
		return this.jdbc.sql("select exists (select 1 from catalogue_changes)").query(Boolean.class).single();
	}

	/** The changes a stored snapshot holds are no longer pending; those committed since stay. */
	public void forget(List<Long> changes) {
		if (changes.isEmpty()) {
			return;
		}
		String ids = changes.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
		this.jdbc.sql("delete from catalogue_changes where id = any(cast(? as bigint[]))").param(ids).update();
	}

	/** The last snapshot written: its date and its object's key. */
	public record Written(Instant at, String objectKey) {
	}

	public Optional<Written> lastWritten() {
		return this.jdbc.sql("select written_at, object_key from catalogue_snapshot_state")
			.query((rs, i) -> new Written(rs.getTimestamp("written_at").toInstant(), rs.getString("object_key")))
			.optional();
	}

	public void recordWritten(Written written) {
		this.jdbc.sql("""
				insert into catalogue_snapshot_state (id, written_at, object_key) values (1, ?, ?)
				on conflict (id) do update set written_at = excluded.written_at, object_key = excluded.object_key
				""").params(Timestamp.from(written.at()), written.objectKey()).update();
	}

	/**
	 * Holds the lock of snapshots and rebuilds across instances until closed, on a connection of its own
	 * (so that the consistent read that follows is taken after the previous holder committed); empty when
	 * another holds it and {@code wait} is false. An instance that dies lets go with its connection.
	 */
	public Optional<AutoCloseable> lock(boolean wait) {
		try {
			Connection connection = this.dataSource.getConnection();
			try (PreparedStatement statement = connection
				.prepareStatement(wait ? "select pg_advisory_lock(?), true" : "select pg_try_advisory_lock(?)")) {
				statement.setLong(1, LOCK);
				try (ResultSet rs = statement.executeQuery()) {
					rs.next();
					if (!rs.getBoolean(wait ? 2 : 1)) {
						connection.close();
						return Optional.empty();
					}
				}
			}
			catch (SQLException | RuntimeException ex) {
				connection.close();
				throw ex;
			}
			return Optional.of(() -> {
				try (connection; PreparedStatement unlock = connection.prepareStatement("select pg_advisory_unlock(?)")) {
					unlock.setLong(1, LOCK);
					unlock.execute();
				}
			});
		}
		catch (SQLException ex) {
			throw new IllegalStateException("the catalogue's snapshot lock cannot be taken: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Writes a snapshot's rows back into this empty catalogue, within the caller's transaction (so that a
	 * snapshot refused halfway leaves nothing). Rows must come in {@link #TABLES}' order.
	 */
	public Importer importer() {
		return new Importer();
	}

	public final class Importer {

		private final Map<String, Set<String>> columns = new HashMap<>();

		private final Map<String, Long> rows = new LinkedHashMap<>();

		private Importer() {
			// a new catalogue may have made its own authority before the old one came back: the old one issued
			// the databases' certificates
			for (int i = TABLES.size() - 1; i >= 0; i--) {
				CatalogueTables.this.jdbc.sql("delete from " + TABLES.get(i)).update();
			}
		}

		public void row(String table, JsonNode row) {
			if (!TABLES.contains(table)) {
				throw new IllegalArgumentException("a snapshot holds no table " + table);
			}
			if (!row.isObject()) {
				throw new IllegalArgumentException("a row of " + table + " is not a JSON object");
			}
			Set<String> known = this.columns.computeIfAbsent(table, this::columnsOf);
			List<String> names = new ArrayList<>();
			for (String name : row.propertyNames()) {
				if (known.contains(name)) {
					names.add('"' + name + '"');
				}
			}
			String list = String.join(", ", names);
			CatalogueTables.this.jdbc
				.sql("insert into " + table + " (" + list + ") select " + list + " from jsonb_populate_record(null::"
						+ table + ", cast(? as jsonb))")
				.param(row.toString())
				.update();
			this.rows.merge(table, 1L, Long::sum);
		}

		/** The rows written back, by table. */
		public Map<String, Long> rows() {
			return this.rows;
		}

		/**
		 * Backups that were scheduled or running when the snapshot was read: their rows go, and a backup
		 * that finished after it comes back from its object, as any backup made after the snapshot does.
		 * @return their ids
		 */
		public List<String> dropBackupsInFlight() {
			return CatalogueTables.this.jdbc
				.sql("delete from backups where status in ('scheduled', 'running') returning id")
				.query(String.class)
				.list();
		}

		/**
		 * Backups whose object is no longer in the bucket (retention deleted it after the snapshot): their
		 * rows go too. @return their ids
		 */
		public List<String> dropBackupsWithout(Collection<String> objectKeys) {
			return dropRowsWithout("backups", objectKeys).stream().map(Map.Entry::getKey).toList();
		}

		/**
		 * Segments of archived streams whose object is no longer in the bucket (retention deleted it after the
		 * snapshot): their rows go. @return their object keys
		 */
		public List<String> dropSegmentsWithout(Collection<String> objectKeys) {
			return dropRowsWithout("pitr_segments", objectKeys).stream().map(Map.Entry::getValue).toList();
		}

		/** Deletes the rows of {@code table} whose {@code object_key} is not among these; answers their id and key. */
		private List<Map.Entry<String, String>> dropRowsWithout(String table, Collection<String> objectKeys) {
			Set<String> present = Set.copyOf(objectKeys);
			List<Map.Entry<String, String>> dropped = new ArrayList<>();
			for (Map.Entry<String, String> row : CatalogueTables.this.jdbc.sql("select id::text, object_key from " + table)
				.query((rs, i) -> Map.entry(rs.getString(1), rs.getString(2)))
				.list()) {
				if (!present.contains(row.getValue())) {
					CatalogueTables.this.jdbc.sql("delete from " + table + " where id::text = ?").param(row.getKey()).update();
					dropped.add(row);
				}
			}
			return dropped;
		}

		/**
		 * The archivers' leases were the lost catalogue's: nobody holds one now, so that an instance of this
		 * catalogue claims each enabled archiver at its next round.
		 */
		public void releaseArchiverLeases() {
			CatalogueTables.this.jdbc.sql("update pitr_archivers set owner = null, lease_until = null, state = null").update();
		}

		/** The serial ids go on after the largest written back. */
		public void finish() {
			for (String table : SERIALS) {
				CatalogueTables.this.jdbc.sql("select setval(pg_get_serial_sequence(?, 'id'), coalesce(max(id), 0) + 1, false) from "
						+ table).param(table).query(Long.class).single();
			}
		}

		private Set<String> columnsOf(String table) {
			return Set.copyOf(CatalogueTables.this.jdbc.sql("""
					select column_name from information_schema.columns
					where table_schema = current_schema() and table_name = ?
					""").param(table).query(String.class).list());
		}

	}

}
