package io.coffer.pitr;

import java.util.ArrayDeque;
import java.util.Deque;

import org.springframework.stereotype.Component;

/**
 * The turns of this instance's archivers at a full synchronisation (the node's dump, shipped as a base backup):
 * at most {@code coffer.pitr.max-concurrent-full-syncs} at once, since each holds buffers on its way to storage
 * and a shipper thread. An archiver that needs one and finds none free waits in line, without a thread and
 * without a connection to the node: it is told when its turn comes, first come first served.
 */
@Component
class FullSyncTurns {

	private final int limit;

	private final Deque<Turn> waiting = new ArrayDeque<>();

	private int taken;

	FullSyncTurns(PitrProperties properties) {
		this.limit = properties.maxConcurrentFullSyncs();
	}

	int limit() {
		return this.limit;
	}

	/** A turn now, or null when every turn is taken. */
	synchronized Turn tryTake() {
		if (this.taken >= this.limit) {
			return null;
		}
		this.taken++;
		return new Turn(null, true);
	}

	/**
	 * A turn, given at once when one is free, else once the archivers before it have let theirs go; {@code given}
	 * is then called (on the thread that let one go: it must only hand work on).
	 */
	Turn await(Runnable given) {
		Turn turn;
		synchronized (this) {
			if (this.taken < this.limit) {
				this.taken++;
				turn = new Turn(given, true);
			}
			else {
				turn = new Turn(given, false);
				this.waiting.add(turn);
				return turn;
			}
		}
		given.run();
		return turn;
	}

	private void letGo(Turn turn) {
		Turn next;
		synchronized (this) {
			if (turn.done) {
				return;
			}
			turn.done = true;
			if (!turn.held) {
				this.waiting.remove(turn);
				return;
			}
			next = this.waiting.poll();
			if (next == null) {
				this.taken--;
				return;
			}
			next.held = true;
		}
		next.given.run();
	}

	/** One archiver's place: waiting in line, then held, until it is let go (once; again does nothing). */
	final class Turn {

		private final Runnable given;

		private boolean held;

		private boolean done;

		private Turn(Runnable given, boolean held) {
			this.given = given;
			this.held = held;
		}

		boolean isHeld() {
			synchronized (FullSyncTurns.this) {
				return this.held && !this.done;
			}
		}

		/** Gives the turn to the next in line, or leaves the line. */
		void letGo() {
			FullSyncTurns.this.letGo(this);
		}

	}

}
