package io.coffer.pitr;

/**
 * What the archive needs to know of a replicated command: whether it opens or closes a MULTI/EXEC block (a
 * restore to a time never stops inside one), or is the primary's {@code REPLCONF GETACK} (answered, not kept).
 */
enum CommandKind {

	OTHER, MULTI, EXEC, GETACK;

	/** The kind of a command by its name, its first argument and how many arguments it has, name included. */
	static CommandKind of(String name, String subcommand, long arguments) {
		if (arguments == 1 && name.equalsIgnoreCase("MULTI")) {
			return MULTI;
		}
		if (arguments == 1 && name.equalsIgnoreCase("EXEC")) {
			return EXEC;
		}
		if (name.equalsIgnoreCase("REPLCONF") && subcommand.equalsIgnoreCase("GETACK")) {
			return GETACK;
		}
		return OTHER;
	}

}
