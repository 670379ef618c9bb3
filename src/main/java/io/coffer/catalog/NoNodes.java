package io.coffer.catalog;

import io.coffer.system.Refused;

/** The database has no node recorded: nothing to read from or change. */
public class NoNodes extends Refused {

	public NoNodes(String message) {
		super("no_nodes", message);
	}

}
