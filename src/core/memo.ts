/**
 * @module core/memo — remember a pure function's recent answers by a string key.
 */

/** A pure function of a string that remembers up to `limit` answers (all are forgotten when full; a throw is not remembered). */
export function boundedMemo<T>(compute: (key: string) => T, limit: number): (key: string) => T {
  const answers = new Map<string, T>();
  return (key) => {
    const known = answers.get(key);
    if (known !== undefined) return known;
    const answer = compute(key);
    if (answers.size >= limit) answers.clear();
    answers.set(key, answer);
    return answer;
  };
}
