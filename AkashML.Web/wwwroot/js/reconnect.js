// Drives the styled reconnect dialog (Components/Layout/ReconnectModal.razor). Blazor reports the connection state;
// when the server no longer knows the circuit (it restarted), the page reloads by itself.
(() => {
    const dialog = document.getElementById('components-reconnect-modal');
    if (!dialog) {
        return;
    }

    dialog.addEventListener('components-reconnect-state-changed', event => {
        const state = event.detail.state;
        if (state === 'show' || state === 'retrying' || state === 'failed' || state === 'paused') {
            if (!dialog.open) {
                dialog.showModal();
            }
        } else if (state === 'hide' || state === 'resume-failed') {
            if (dialog.open) {
                dialog.close();
            }
        } else if (state === 'rejected') {
            location.reload();
        }

        if (state === 'failed') {
            // Keep trying in the background: a restarted host comes back within seconds.
            setTimeout(retry, 3000);
        }
    });

    async function retry() {
        try {
            const reconnected = await Blazor.reconnect();
            if (!reconnected) {
                location.reload();
            }
        } catch {
            setTimeout(retry, 3000);
        }
    }

    document.getElementById('components-reconnect-button')?.addEventListener('click', retry);
})();
