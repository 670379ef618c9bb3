package io.coffer.backup;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.coffer.catalog.Backup;
import io.coffer.catalog.BackupRepository;
import io.coffer.catalog.RunStatus;
import io.coffer.system.CofferException;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * The backup taken just before a database is deleted (method {@code final}): started like any other,
 * then waited for, so that the deletion goes ahead only once the database's last data is stored.
 */
@Service
public class FinalBackups {

	private final BackupLauncher launcher;

	private final BackupRepository backups;

	private final Duration timeout;

	/** The final backups being waited for, by backup id. */
	private final Map<String, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

	FinalBackups(BackupLauncher launcher, BackupRepository backups, BackupProperties settings) {
		this.launcher = launcher;
		this.backups = backups;
		this.timeout = settings.finalTimeout();
	}

	/**
	 * Takes the database's final backup and returns it once it is {@code done}.
	 * @throws CofferException {@link FinalBackupFailed} with the backup's error when it failed,
	 * {@link FinalBackupPending} when it takes longer than {@code coffer.backup.final-timeout}, or
	 * what {@link BackupLauncher#launch} refuses with (a backup already running: {@code BackupInProgress})
	 */
	public Backup take(String databaseId) {
		Backup started = this.launcher.launch(databaseId, Backup.FINAL);
		CompletableFuture<Void> finished = new CompletableFuture<>();
		this.waiting.put(started.id(), finished);
		try {
			// it may have finished before it was registered here: its row says so then
			if (!current(started).status().isFinished()) {
				finished.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		catch (TimeoutException ex) {
			throw new FinalBackupPending(
					"the final backup " + started.id() + " is still running after " + this.timeout.toMinutes()
							+ " minutes; the database was not deleted: delete it again once that backup is done");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while waiting for the final backup " + started.id(), ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		finally {
			this.waiting.remove(started.id());
		}
		Backup backup = current(started);
		if (backup.status() != RunStatus.DONE) {
			throw new FinalBackupFailed("the final backup " + backup.id() + " failed: "
					+ backup.error() + "; the database was not deleted. Try again once the cause is fixed, or delete it"
					+ " without a final backup (?final_backup=false)");
		}
		return backup;
	}

	@EventListener
	void on(BackupFinished finished) {
		CompletableFuture<Void> waiter = this.waiting.get(finished.backupId());
		if (waiter != null) {
			waiter.complete(null);
		}
	}

	private Backup current(Backup backup) {
		return this.backups.find(backup.databaseId(), backup.id()).orElseThrow();
	}

}
