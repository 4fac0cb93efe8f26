using Microsoft.AspNetCore.Components;

namespace AkashML.Web.Components.Pages.Playground;

public sealed partial class UserMessage
{
    private bool editing;
    private string draft = "";

    [Parameter, EditorRequired]
    public string Text { get; set; } = "";

    [Parameter]
    public bool Editable { get; set; }

    [Parameter]
    public bool Busy { get; set; }

    /// <summary>Called with the edited text.</summary>
    [Parameter]
    public EventCallback<string> OnResend { get; set; }

    private void StartEditing()
    {
        draft = Text;
        editing = true;
    }

    private async Task ResendAsync()
    {
        editing = false;
        await OnResend.InvokeAsync(draft.Trim());
    }
}
