using System.Collections;

namespace AkashML.Inference.ChatTemplates;

/// <summary>
/// A Python dict as templates see it: insertion-ordered, keys compared by value (<c>1 == 1.0 == True</c>).
/// Keys are strings in practice; numbers and booleans are allowed.
/// </summary>
internal sealed class TemplateDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items;

    public TemplateDict()
    {
        _items = new OrderedDictionary<object, object?>(KeyComparer.Instance);
    }

    public TemplateDict(int capacity)
    {
        _items = new OrderedDictionary<object, object?>(capacity, KeyComparer.Instance);
    }

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public static TemplateDict FromStrings(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var dict = new TemplateDict();
        foreach (var pair in pairs)
        {
            dict[pair.Key] = pair.Value;
        }

        return dict;
    }

    public object? this[object key]
    {
        get => _items[key];
        set => _items[key] = value;
    }

    public bool TryGetValue(object? key, out object? value)
    {
        if (key is null or Undefined)
        {
            value = null;
            return false;
        }

        return _items.TryGetValue(key, out value);
    }

    public bool ContainsKey(object? key) => key is not (null or Undefined) && _items.ContainsKey(key);

    public bool Remove(object key, out object? value) => _items.Remove(key, out value);

    public void Clear() => _items.Clear();

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => ValueOperations.AreEqual(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            string s => StringComparer.Ordinal.GetHashCode(s),
            bool b => (b ? 1.0 : 0.0).GetHashCode(),
            long l => ((double)l).GetHashCode(),
            double d => d.GetHashCode(),
            _ => obj.GetHashCode(),
        };
    }
}
