package io.coffer.catalog;


/**
 * Work of one kind (backups, restores, provisionings, …) that a Coffer instance may leave half done when it
 * stops. Each capability implements it in its own package, where it knows how to settle its own work; the
 * recovery job ({@code recoverInterruptedWorkJob}) runs them all, one after the other, in their
 * {@link org.springframework.core.annotation.Order}.
 */
public interface InterruptedWork {

	/** What is recovered, in the plural, as the job's exit description names it: "backups", "restores". */
	String kind();

	/**
	 * Settles the work in flight of the stopped instances like a failure (rows in {@code error}, their job
	 * executions failed, whatever they left on the nodes put back); work finished meanwhile, or recovered by
	 * another instance, is left alone.
	 * @return how many were recorded as interrupted
	 */
	int recover(StoppedInstances stopped);

}
