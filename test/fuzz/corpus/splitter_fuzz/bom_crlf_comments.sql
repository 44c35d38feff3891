-- hand-written
CREATE TABLE t (v text DEFAULT 'a; --> statement-breakpoint b');
--> statement-breakpoint
/* nested /* comment */ */
--> statement-breakpoint
--> statement-breakpoint
  
INSERT INTO t VALUES ('café € 😀');
/* unterminated