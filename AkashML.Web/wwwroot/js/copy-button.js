// Copy buttons: <button data-copy="#selector"> copies the value (or text) of the element it names, then says so.
// The clipboard API needs a secure context (https or localhost); elsewhere the text is selected for Ctrl+C.
const label = (button, text) => {
    const span = button.querySelector('span') ?? button;
    const before = span.textContent;
    span.textContent = text;
    setTimeout(() => { span.textContent = before; }, 2000);
};

document.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-copy]');
    if (!button) {
        return;
    }

    const source = document.querySelector(button.dataset.copy);
    if (!source) {
        return;
    }

    const text = 'value' in source ? source.value : source.textContent;
    try {
        await navigator.clipboard.writeText(text);
        button.dataset.copied = 'true';
        label(button, 'Copied');
    } catch {
        if (typeof source.select === 'function') {
            source.focus();
            source.select();
        }
        label(button, 'Press Ctrl+C');
    }
});
