package io.coffer.pipeline;

/** What every {@link DeflateLibrary} says of itself the same way: its configuration name, and its description. */
abstract class AbstractDeflateLibrary implements DeflateLibrary {

	private final String id;

	AbstractDeflateLibrary(String id) {
		this.id = id;
	}

	@Override
	public final String id() {
		return this.id;
	}

	/** The description, so that a library logged or printed says what runs. */
	@Override
	public final String toString() {
		return description();
	}

}
