# Used by boundary_rules.sh (CONVENTIONS rules 3 and 7): a C++ catch handler or destructor may be
# running while an exception unwinds, so a PostgreSQL call there that raises (a longjmp) would
# skip the rest of the unwinding. Such calls must go through pg_cleanup(), which never raises.
# Reports PostgreSQL calls that can raise inside C++ catch handlers and destructors, outside a
# pg_cleanup(...) call. Input: C++ source files. Output: file:line: what.
function strip_cleanup(s,    out, i, c, depth, inside) {
  # removes the text of pg_cleanup( ... ) calls, tracking parentheses across lines via globals
  out = ""
  i = 1
  while (i <= length(s)) {
    if (!cleanup_depth && substr(s, i, 11) == "pg_cleanup(") { cleanup_depth = 1; i += 11; continue }
    c = substr(s, i, 1)
    if (cleanup_depth) {
      if (c == "(") cleanup_depth++
      else if (c == ")") cleanup_depth--
      i++; continue
    }
    out = out c; i++
  }
  return out
}
BEGIN { raising = "(palloc|pstrdup|psprintf|pfree|ereport|elog|SPI_[a-z_]+|AtEOXact_GUC|NewGUCNestLevel|set_config_option|pgstat_report_activity|MemoryContextDelete|MemoryContextReset|AllocSetContextCreate|disable_timeout|enable_timeout_at|CopyErrorData|ReThrowError|quote_identifier|cstring_to_text[a-z_]*|pg_call)[ ]*\\(" }
FNR == 1 { mode = ""; depth = 0; cleanup_depth = 0 }
{
  line = $0
  sub(/\/\/.*/, "", line)
  if (mode == "") {
    if (match(line, /catch *\(.*\) *\{/)) { mode = "catch handler"; depth = 0; line = substr(line, RSTART) }
    else if (match(line, /~[A-Za-z_]+\(\)( noexcept)? *\{/)) { mode = "destructor"; depth = 0; line = substr(line, RSTART) }
    else next
  }
  code = strip_cleanup(line)
  if (code ~ raising) printf "%s:%d: PostgreSQL call in a %s: %s\n", FILENAME, FNR, mode, $0
  n = split(line, ch, "")
  for (k = 1; k <= n; k++) { if (ch[k] == "{") depth++; else if (ch[k] == "}") { depth--; if (depth == 0) { mode = ""; break } } }
}
