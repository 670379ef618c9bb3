package io.coffer.node;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.stereotype.Component;

/**
 * One lock per database within this instance, so that the supervisor never restarts a node that a
 * deletion or a failed provisioning is removing at the same moment.
 */
@Component
public class DatabaseLocks {

	private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

	public <T> T withLock(String databaseId, Supplier<T> action) {
		ReentrantLock lock = this.locks.computeIfAbsent(databaseId, (id) -> new ReentrantLock());
		lock.lock();
		try {
			return action.get();
		}
		finally {
			lock.unlock();
		}
	}

	public void withLock(String databaseId, Runnable action) {
		withLock(databaseId, () -> {
			action.run();
			return null;
		});
	}

	/**
	 * Runs the action under the database's lock if no one holds it; answers whether it ran. For work that
	 * may as well wait for its next round rather than for an engine upgrade of minutes.
	 */
	boolean ifFree(String databaseId, Runnable action) {
		ReentrantLock lock = this.locks.computeIfAbsent(databaseId, (id) -> new ReentrantLock());
		if (!lock.tryLock()) {
			return false;
		}
		try {
			action.run();
			return true;
		}
		finally {
			lock.unlock();
		}
	}

}
