# Exports MatchIt::lalonde (Dehejia & Wahba's NSW treated and PSID controls, 614 men) as the
# treated and pool files of `pilot-eval match`. The binary outcome `reoffended` stands in for
# "no earnings in 1978" (re78 == 0), so that analyse treats it as the binary outcome.
# Run from the repository root: Rscript test/data/make-lalonde-files.R
data("lalonde", package = "MatchIt")
d <- lalonde
d$id <- sprintf("L%03d", seq_len(nrow(d)))
d$race <- as.character(d$race)
d$reoffended <- as.integer(d$re78 == 0)
cols <- c("id", "age", "educ", "race", "married", "nodegree", "re74", "re75", "reoffended")
write.csv(d[d$treat == 1, cols], "test/data/lalonde-treated.csv", row.names = FALSE, quote = FALSE)
write.csv(d[d$treat == 0, cols], "test/data/lalonde-pool.csv", row.names = FALSE, quote = FALSE)
