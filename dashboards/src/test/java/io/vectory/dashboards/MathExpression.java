package io.vectory.dashboards;

import java.util.function.Function;

/**
 * Grafana's server-side math expressions, as far as the alert rules use them: numbers, $REF variables, + - * /,
 * parentheses. A variable without a value (no data for that series) makes the result null.
 */
final class MathExpression {
  private final String s;
  private final Function<String, Double> vars;
  private int pos;
  private boolean missing;

  private MathExpression(String s, Function<String, Double> vars) {
    this.s = s;
    this.vars = vars;
  }

  static Double evaluate(String expression, Function<String, Double> vars) {
    MathExpression e = new MathExpression(expression, vars);
    double v = e.sum();
    e.skip();
    if (e.pos != e.s.length()) throw new IllegalArgumentException("unexpected text at " + e.pos + " in " + expression);
    return e.missing ? null : v;
  }

  private void skip() {
    while (pos < s.length() && s.charAt(pos) == ' ') pos++;
  }

  private double sum() {
    double v = product();
    for (skip(); pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-'); skip()) {
      char op = s.charAt(pos++);
      double r = product();
      v = op == '+' ? v + r : v - r;
    }
    return v;
  }

  private double product() {
    double v = atom();
    for (skip(); pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/'); skip()) {
      char op = s.charAt(pos++);
      double r = atom();
      v = op == '*' ? v * r : v / r;
    }
    return v;
  }

  private double atom() {
    skip();
    char c = s.charAt(pos);
    if (c == '(') {
      pos++;
      double v = sum();
      skip();
      if (s.charAt(pos++) != ')') throw new IllegalArgumentException("missing ) in " + s);
      return v;
    }
    int start = pos;
    if (c == '$') {
      pos++;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
      Double v = vars.apply(s.substring(start + 1, pos));
      if (v == null) {
        missing = true;
        return Double.NaN;
      }
      return v;
    }
    while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
    return Double.parseDouble(s.substring(start, pos));
  }
}
