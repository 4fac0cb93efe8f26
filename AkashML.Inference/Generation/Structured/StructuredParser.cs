namespace AkashML.Inference.Generation.Structured;

/// <summary>
/// Runs text through a grammar: expands sequences and choices down to leaves and keeps every stack that can still
/// read on. Holds scratch lists, so one per thread or sequence; the states it returns are immutable and shareable.
/// </summary>
internal sealed class StructuredParser
{
    // Deeper expansion without reading a character means a cycle the compiler should have refused.
    private const int MaxExpansionDepth = 1024;

    private List<ParseFrame> _current = [];
    private List<ParseFrame> _next = [];
    private List<ParseFrame>? _ended;

    /// <summary>The state before any text.</summary>
    public static ParseState Initial(GrammarNode root)
    {
        var stacks = new List<ParseFrame>();
        var finished = false;
        Enter(root, null, stacks, ref finished, 0);
        return new ParseState([.. stacks], finished || stacks.Any(EndsHere));
    }

    /// <summary>The state after <paramref name="text"/>, or null when the grammar rules it out.</summary>
    public ParseState? Advance(ParseState state, ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return state;
        }

        _current.Clear();
        _current.AddRange(state.Stacks);
        var finished = false;
        foreach (var c in text)
        {
            _next.Clear();
            finished = false;
            foreach (var stack in _current)
            {
                Step(stack, c, _next, ref finished);
            }

            if (_next.Count == 0 && !finished)
            {
                return null;
            }

            (_current, _next) = (_next, _current);
        }

        return _current.Count == state.Stacks.Length && finished == state.IsFinished && SameStacks(state.Stacks, _current)
            ? state
            : new ParseState([.. _current], finished || _current.Any(EndsHere));
    }

    /// <summary>True when the stack's leaf may end here and everything after it may be empty (prose before optional tool calls).</summary>
    private static bool EndsHere(ParseFrame stack)
    {
        if (!((LeafNode)stack.Node).CanEnd(stack.Position))
        {
            return false;
        }

        var finished = false;
        Resume(stack.Parent, [], ref finished, 0);
        return finished;
    }

    private static bool SameStacks(ParseFrame[] before, List<ParseFrame> after)
    {
        for (var i = 0; i < before.Length; i++)
        {
            if (!ReferenceEquals(before[i], after[i]))
            {
                return false;
            }
        }

        return true;
    }

    private void Step(ParseFrame top, char c, List<ParseFrame> output, ref bool finished)
    {
        var leaf = (LeafNode)top.Node;
        if (leaf.TryStep(top.Position, c, out var next))
        {
            if (next == LeafNode.Closed)
            {
                Resume(top.Parent, output, ref finished, 0);
            }
            else
            {
                AddUnique(output, next == top.Position ? top : new ParseFrame(leaf, next, top.Parent));
            }
        }

        if (leaf.CanEnd(top.Position))
        {
            // The leaf may end before c (a number's last digit): what follows it reads c instead.
            var ended = _ended ??= [];
            var start = ended.Count;
            var endedHere = false;
            Resume(top.Parent, ended, ref endedHere, 0);
            for (var i = start; i < ended.Count; i++)
            {
                Step(ended[i], c, output, ref finished);
            }

            ended.RemoveRange(start, ended.Count - start);
        }
    }

    private static void Enter(GrammarNode node, ParseFrame? continuation, List<ParseFrame> output, ref bool finished, int depth)
    {
        if (depth > MaxExpansionDepth)
        {
            throw new InvalidOperationException("The grammar expands without reading a character; it has a left-recursive cycle.");
        }

        switch (node)
        {
            case LeafNode leaf:
                AddUnique(output, new ParseFrame(leaf, leaf.Start, continuation));
                break;
            case SequenceNode { Parts.Count: 0 }:
                Resume(continuation, output, ref finished, depth + 1);
                break;
            case SequenceNode sequence:
                Enter(sequence.Parts[0], Continue(sequence, 1, continuation), output, ref finished, depth + 1);
                break;
            case ChoiceNode choice:
                foreach (var option in choice.Options)
                {
                    Enter(option, continuation, output, ref finished, depth + 1);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown grammar node {node.GetType().Name}.");
        }
    }

    private static void Resume(ParseFrame? continuation, List<ParseFrame> output, ref bool finished, int depth)
    {
        if (continuation is null)
        {
            finished = true;
            return;
        }

        var sequence = (SequenceNode)continuation.Node;
        Enter(sequence.Parts[continuation.Position], Continue(sequence, continuation.Position + 1, continuation.Parent), output, ref finished, depth + 1);
    }

    // The last part continues straight into the parent, so repetition (array tails, text between tool calls) does not
    // deepen the stack.
    private static ParseFrame? Continue(SequenceNode sequence, int index, ParseFrame? parent) =>
        index == sequence.Parts.Count ? parent : new ParseFrame(sequence, index, parent);

    private static void AddUnique(List<ParseFrame> output, ParseFrame frame)
    {
        if (!output.Contains(frame))
        {
            output.Add(frame);
        }
    }
}
