package io.coffer.system;

/** Spring Batch refused to start a job (an instance of it already runs, its repository failed). */
public class JobNotStarted extends Conflict {

	/** @param what the work that did not start, as a sentence names it: {@code "the plan change"} */
	public JobNotStarted(String what, Exception cause) {
		super("job_not_started", what + " could not start: " + cause.getMessage());
	}

}
