// Light/dark theme. The server renders <html data-theme> from the am-theme cookie, so pages never flash the other
// theme; this module switches in place (no reload) and keeps localStorage and the cookie in step.
const key = 'am-theme';
const root = document.documentElement;
const year = 60 * 60 * 24 * 365;

function store(theme) {
    try {
        localStorage.setItem(key, theme);
    } catch {
        // Private mode or storage turned off: the cookie alone still carries the choice.
    }
    const secure = location.protocol === 'https:' ? '; secure' : '';
    document.cookie = `${key}=${theme}; path=/; max-age=${year}; samesite=lax${secure}`;
}

function label(theme) {
    const next = theme === 'dark' ? 'light' : 'dark';
    for (const form of document.querySelectorAll('[data-theme-toggle]')) {
        const button = form.querySelector('button');
        const icon = form.querySelector('.rzi');
        const input = form.querySelector('input[name="theme"]');
        if (button) {
            button.setAttribute('aria-label', `Switch to ${next} theme`);
            button.title = `Switch to ${next} theme`;
            button.dataset.currentTheme = theme;
        }
        if (icon) {
            icon.textContent = theme === 'dark' ? 'light_mode' : 'dark_mode';
        }
        if (input) {
            input.value = next;
        }
    }
}

export function apply(theme) {
    if (theme !== 'light' && theme !== 'dark') {
        return;
    }
    root.dataset.theme = theme;
    store(theme);
    label(theme);
}

// First visit: follow the system until the person chooses. Later: the stored choice wins if the cookie was lost.
let saved = null;
try {
    saved = localStorage.getItem(key);
} catch {
    saved = null;
}
const hasCookie = document.cookie.split('; ').some(c => c.startsWith(`${key}=`));
if (saved && saved !== root.dataset.theme) {
    apply(saved);
} else if (!saved && !hasCookie && matchMedia('(prefers-color-scheme: dark)').matches) {
    apply('dark');
}

for (const form of document.querySelectorAll('[data-theme-toggle]')) {
    form.addEventListener('submit', event => {
        event.preventDefault();
        apply(root.dataset.theme === 'dark' ? 'light' : 'dark');
    });
}
