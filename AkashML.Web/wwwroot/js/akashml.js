// The few things the dashboard needs the browser for: remembering the theme in a cookie (so the next full page load
// and the static account pages render it first time) and the clipboard. Everything else runs in the circuit.
window.akashml = {
    setTheme(theme) {
        const secure = location.protocol === 'https:' ? '; secure' : '';
        document.cookie = `am-theme=${theme}; path=/; max-age=${60 * 60 * 24 * 365}; samesite=lax${secure}`;
        document.documentElement.dataset.theme = theme;
    },
    async copy(text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            // Plain http on another host has no async clipboard: fall back to a selected textarea.
            const area = document.createElement('textarea');
            area.value = text;
            area.setAttribute('readonly', '');
            area.style.position = 'fixed';
            area.style.opacity = '0';
            document.body.appendChild(area);
            area.select();
            const copied = document.execCommand('copy');
            area.remove();
            return copied;
        }
    },
    // Browser storage for state that must survive a reload (the playground conversation and settings).
    load(key) {
        try { return localStorage.getItem(key); } catch { return null; }
    },
    save(key, value) {
        try { localStorage.setItem(key, value); return true; } catch { return false; }
    },
    remove(key) {
        try { localStorage.removeItem(key); } catch { /* storage turned off */ }
    },
};
