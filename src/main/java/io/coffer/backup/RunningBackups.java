package io.coffer.backup;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * The backups this instance is running or has queued, in memory: a row in flight under this instance's id that
 * is not here was lost by it, typically because the catalogue was unreachable (its PostgreSQL restarting) when
 * the backup ended, so that its end could not be written. Recovery settles those as it settles the rows of a
 * stopped instance ({@link InterruptedBackups}). An id is added before its row is inserted and removed only
 * after its end was written, or could not be.
 */
@Component
public class RunningBackups {

	private final Set<String> ids = ConcurrentHashMap.newKeySet();

	public void started(String backupId) {
		this.ids.add(backupId);
	}

	public void ended(String backupId) {
		this.ids.remove(backupId);
	}

	public boolean isRunning(String backupId) {
		return this.ids.contains(backupId);
	}

}
