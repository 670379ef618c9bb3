package io.coffer.schedule;

import io.coffer.system.NotFound;

/** No service-wide job has this name. */
public class JobNotFound extends NotFound {

	/** @param what the job, as a sentence names it */
	public JobNotFound(String what) {
		super(what);
	}

}
