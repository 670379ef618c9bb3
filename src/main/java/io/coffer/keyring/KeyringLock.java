package io.coffer.keyring;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.stereotype.Component;

/**
 * PostgreSQL advisory locks shared by the instances of a cluster: one for changes of the keyring file
 * (rotate, retire), one for the re-wrap, so that two instances never rewrite the file at once nor
 * re-wrap the same object twice (the second upload would leave the catalogue's digest of the first).
 * Held on a connection of their own for the whole operation.
 */
@Component
class KeyringLock {

	/** Changes of the keyring file. */
	static final long KEYRING_FILE = 0x6b6579_0001L;

	/** A run of {@code rewrapKeysJob}. */
	static final long REWRAP = 0x6b6579_0002L;

	private final DataSource dataSource;

	KeyringLock(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	interface Work<T> {

		T run() throws Exception;

	}

	/** Waits for the lock, runs the work, releases it. */
	<T> T holding(long lock, Work<T> work) throws Exception {
		try (Connection connection = this.dataSource.getConnection()) {
			execute(connection, "select pg_advisory_lock(?)", lock);
			try {
				return work.run();
			}
			finally {
				execute(connection, "select pg_advisory_unlock(?)", lock);
			}
		}
	}

	/** Runs the work if the lock is free; otherwise answers {@code whenHeld} at once. */
	<T> T ifFree(long lock, Work<T> work, Work<T> whenHeld) throws Exception {
		try (Connection connection = this.dataSource.getConnection()) {
			if (!execute(connection, "select pg_try_advisory_lock(?)", lock)) {
				return whenHeld.run();
			}
			try {
				return work.run();
			}
			finally {
				execute(connection, "select pg_advisory_unlock(?)", lock);
			}
		}
	}

	private static boolean execute(Connection connection, String sql, long lock) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setLong(1, lock);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				Object value = result.getObject(1);
				return !(value instanceof Boolean acquired) || acquired;
			}
		}
	}

}
