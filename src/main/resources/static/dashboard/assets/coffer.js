// Whatever carries data-poll-url (a running backup's row, a running restore) is replaced every second
// by the server's fresh rendering of it, until that rendering no longer asks to be polled.
(function () {
	'use strict';

	function poll(element, delay) {
		window.setTimeout(function () {
			fetch(element.dataset.pollUrl, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
				.then(function (response) {
					if (response.redirected) {
						// signed out meanwhile: the sign-in page takes over the whole window
						window.location.reload();
						return new Promise(function () {});
					}
					if (!response.ok) {
						throw new Error('status ' + response.status);
					}
					return response.text();
				})
				.then(function (html) {
					var template = document.createElement('template');
					template.innerHTML = html.trim();
					var fresh = template.content.firstElementChild;
					element.replaceWith(fresh);
					if (fresh.dataset.pollUrl) {
						poll(fresh, 1000);
					}
				})
				.catch(function () {
					// the service may be restarting: try again, less often
					poll(element, Math.min(delay * 2, 15000));
				});
		}, delay);
	}

	document.querySelectorAll('[data-poll-url]').forEach(function (element) {
		poll(element, 1000);
	});
})();
