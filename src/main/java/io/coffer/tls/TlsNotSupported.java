package io.coffer.tls;

import io.coffer.system.Refused;

/** TLS cannot be forced on the database (a registered one, one on the static pool): see {@link TlsSwitch#refusal}. */
public class TlsNotSupported extends Refused {

	public TlsNotSupported(String reason) {
		super("tls_not_supported", reason);
	}

}
