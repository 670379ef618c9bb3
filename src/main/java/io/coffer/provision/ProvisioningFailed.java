package io.coffer.provision;

import io.coffer.system.Unavailable;

/** Creating or deleting the database failed on the way; trying again may work. */
public class ProvisioningFailed extends Unavailable {

	/** @param code {@code provisioning_failed} or {@code deprovision_failed} */
	public ProvisioningFailed(String code, String message, Throwable cause) {
		super(code, message, cause);
	}

}
