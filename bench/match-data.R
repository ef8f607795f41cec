# Generates test/data/match-treated.csv and test/data/match-pool.csv (pilot-eval match tests).
# Run once: Rscript bench/match-data.R
set.seed(20240510)
gen <- function(n, treated, prefix) {
  sex <- ifelse(runif(n) < (if (treated) 0.35 else 0.2), "female", "male")
  age <- round(if (treated) rnorm(n, 29, 7) else rnorm(n, 34, 10))
  age <- pmax(18, age)
  ogrs3 <- round(plogis(rnorm(n, if (treated) 0.1 else -0.4, 0.9)), 3)
  prior <- rpois(n, if (treated) 6 else 4)
  lp <- -2.2 + 3 * ogrs3 + 0.05 * prior - 0.01 * (age - 30) - (if (treated) 0.3 else 0)
  reoffended <- rbinom(n, 1, plogis(lp))
  start <- as.Date("2022-01-01") + sample(0:364, n, replace = TRUE)
  data.frame(id = sprintf("%s%04d", prefix, seq_len(n)), start_date = format(start), sex = sex, age = age,
             ogrs3 = ogrs3, prior_convictions = prior, reoffended = reoffended)
}
tr <- gen(150, TRUE, "T")
pool <- gen(1200, FALSE, "P")
write.csv(tr, "test/data/match-treated.csv", row.names = FALSE, quote = FALSE)
write.csv(pool, "test/data/match-pool.csv", row.names = FALSE, quote = FALSE)
# One proven offence per re-offender, inside the 12-month follow-up, convicted 30 days later.
both <- rbind(tr, pool)
ro <- both[both$reoffended == 1, ]
od <- as.Date(ro$start_date) + sample(10:330, nrow(ro), replace = TRUE)
off <- data.frame(id = ro$id, offence_date = format(od), disposal_date = format(od + 30), disposal_type = "conviction")
write.csv(off, "test/data/match-offences.csv", row.names = FALSE, quote = FALSE)
