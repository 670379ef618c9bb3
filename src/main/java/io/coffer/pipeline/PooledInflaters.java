package io.coffer.pipeline;

import java.util.ArrayDeque;

import io.coffer.pipeline.DeflateLibrary.BlockInflater;

/**
 * The stream's inflaters: one per member being inflated at most, kept for the next ones; one given back
 * after the stream was closed (closed mid-way, its members still inflating) is closed then.
 */
final class PooledInflaters {

	private final DeflateLibrary library;

	private final ArrayDeque<BlockInflater> idle = new ArrayDeque<>();

	private boolean closed;

	PooledInflaters(DeflateLibrary library) {
		this.library = library;
	}

	BlockInflater borrow() {
		synchronized (this) {
			BlockInflater inflater = this.idle.poll();
			if (inflater != null) {
				return inflater;
			}
		}
		return this.library.newInflater();
	}

	synchronized void giveBack(BlockInflater inflater) {
		if (this.closed) {
			inflater.close();
		}
		else {
			this.idle.push(inflater);
		}
	}

	synchronized void close() {
		this.closed = true;
		while (!this.idle.isEmpty()) {
			this.idle.pop().close();
		}
	}

}
