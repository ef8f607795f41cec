# Reference data and values for the headline estimator tests (src/core/stats/robust-lm.test.ts,
# src/core/analysis/primary-effect.test.ts): the risk difference as the arm coefficient of a linear
# probability model with HC2 (individual designs) or CR2 + Satterthwaite df (cluster designs).
# Run from the repository root: Rscript test/data/make-headline-references.R
# (R 4.2.2, estimatr 1.0.0, clubSandwich 0.5.8, carData 3.0.5, MASS 7.3.58.2, jsonlite)
# Writes the data sets below (test/data/headline-*.csv) and test/data/headline-references.json.
#
# pcp data: test/data/headline-pcp.csv was derived from the bundled fixture by
#   node bin/pilot-eval reoffending --cases fixtures/pcp/cases.csv --offences fixtures/pcp/offences.csv --out /tmp/pcp-out.csv
# and then, in R (the output already carries the cases' columns, joined by id):
#   o <- read.csv("/tmp/pcp-out.csv", colClasses = c(reoffended = "character", withdrawn = "character"))
#   o <- o[o$measurable == "yes" & o$reoffended != "" & o$withdrawn != "yes", ]
#   write.csv(data.frame(id = o$id, team = o$team, stratum = o$stratum, arm = o$arm, ogrs3 = o$ogrs3,
#             age = o$age, reoffended = as.integer(o$reoffended)), "test/data/headline-pcp.csv", row.names = FALSE)
suppressMessages({library(estimatr); library(clubSandwich); library(carData); library(MASS); library(jsonlite)})
dir <- "test/data"
out <- list()

# One case: lm_robust's row for `term`, and for clustered fits clubSandwich's CR2 Satterthwaite test,
# which must agree with lm_robust (SE to 1e-10 relative, df to 1e-8).
record <- function(key, call, fit, term, cluster = NULL, lmfit = NULL) {
  s <- summary(fit)$coefficients
  r <- list(call = call, term = term, n = nobs(fit), estimate = unname(coef(fit)[term]),
            std_error = s[term, "Std. Error"], statistic = s[term, "t value"], df = s[term, "DF"],
            p_value = s[term, "Pr(>|t|)"], conf_low = s[term, "CI Lower"], conf_high = s[term, "CI Upper"])
  if (!is.null(cluster)) {
    ct <- coef_test(lmfit, vcov = "CR2", cluster = cluster, test = "Satterthwaite")
    k <- which(rownames(ct) == term | ct$Coef == term)
    r$club_std_error <- ct$SE[k]; r$club_df <- ct$df_Satt[k]; r$club_p_value <- ct$p_Satt[k]
    stopifnot(abs(r$club_std_error / r$std_error - 1) < 1e-10, abs(r$club_df - r$df) < 1e-8)
  }
  cat(key, ":", r$estimate, r$std_error, r$df, r$p_value, "\n")
  out[[key]] <<- r
}

# 1. carData::Rossi: arrest within a year, financial aid (fin) as the arm. HC2.
rossi <- data.frame(arrest = Rossi$arrest, fin = Rossi$fin, age = Rossi$age, prio = Rossi$prio, race = Rossi$race)
write.csv(rossi, file.path(dir, "headline-rossi.csv"), row.names = FALSE)
rossi <- read.csv(file.path(dir, "headline-rossi.csv"))
rossi$trt <- as.integer(rossi$fin == "yes")
record("rossi_unadjusted", 'lm_robust(arrest ~ trt, rossi, se_type = "HC2")',
       lm_robust(arrest ~ trt, rossi, se_type = "HC2"), "trt")
record("rossi_adjusted", 'lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2")',
       lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2"), "trt")
record("rossi_adjusted_age", 'lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2")',
       lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC2"), "age")
# 4. blocked: race as the block fixed effect.
record("rossi_blocked", 'lm_robust(arrest ~ trt + age + prio + factor(race), rossi, se_type = "HC2")',
       lm_robust(arrest ~ trt + age + prio + factor(race), rossi, se_type = "HC2"), "trt")
record("rossi_hc0", 'lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC0")',
       lm_robust(arrest ~ trt + age + prio, rossi, se_type = "HC0"), "trt")

# HC2 with an observation alone in its block (h_ii = 1): pilot-eval gives it zero weight, which is
# clubSandwich's CR2 with every observation its own cluster (generalised inverse square root).
rossi$lone <- ifelse(seq_len(nrow(rossi)) == 1, "alone", rossi$race)
fl <- lm(arrest ~ trt + age + prio + factor(lone), rossi)
out$rossi_lone <- list(call = 'sqrt(vcovCR(lm(arrest ~ trt + age + prio + factor(lone), rossi), cluster = seq_len(nrow(rossi)), type = "CR2")["trt", "trt"])',
                       term = "trt", n = nobs(fl), estimate = unname(coef(fl)["trt"]),
                       std_error = sqrt(vcovCR(fl, cluster = seq_len(nrow(rossi)), type = "CR2")["trt", "trt"]), df = df.residual(fl))
cat("rossi_lone:", out$rossi_lone$estimate, out$rossi_lone$std_error, out$rossi_lone$df, "\n")

# 2. MASS::bacteria: repeated tests per child (ID = cluster), active (a) vs placebo (p). CR2.
bac <- data.frame(y = as.integer(bacteria$y == "y"), ap = bacteria$ap, week = bacteria$week, ID = bacteria$ID)
write.csv(bac, file.path(dir, "headline-bacteria.csv"), row.names = FALSE)
bac <- read.csv(file.path(dir, "headline-bacteria.csv"))
bac$trt <- as.integer(bac$ap == "a")  # coefficient = minus that of `ap` (placebo) in lm_robust(I(y == "y") ~ ap, ...)
record("bacteria_unadjusted", 'lm_robust(y ~ trt, bac, clusters = ID, se_type = "CR2")',
       lm_robust(y ~ trt, bac, clusters = ID, se_type = "CR2"), "trt", bac$ID, lm(y ~ trt, bac))
record("bacteria_week", 'lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2")',
       lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2"), "trt", bac$ID, lm(y ~ trt + week, bac))
record("bacteria_week_week", 'lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2")',
       lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR2"), "week", bac$ID, lm(y ~ trt + week, bac))
# Fixed effects that cross the clusters (each child is seen in several weeks).
record("bacteria_week_fe", 'lm_robust(y ~ trt + factor(week), bac, clusters = ID, se_type = "CR2")',
       lm_robust(y ~ trt + factor(week), bac, clusters = ID, se_type = "CR2"), "trt", bac$ID, lm(y ~ trt + factor(week), bac))
record("bacteria_cr0", 'lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR0")',
       lm_robust(y ~ trt + week, bac, clusters = ID, se_type = "CR0"), "trt")

# 3. The pcp fixture: 32 teams randomised within strata (see the header for the derivation). CR2.
pcp <- read.csv(file.path(dir, "headline-pcp.csv"))
pcp$trt <- as.integer(pcp$arm == "treatment")
record("pcp_unadjusted", 'lm_robust(reoffended ~ trt, pcp, clusters = team, se_type = "CR2")',
       lm_robust(reoffended ~ trt, pcp, clusters = team, se_type = "CR2"), "trt", pcp$team, lm(reoffended ~ trt, pcp))
record("pcp_adjusted", 'lm_robust(reoffended ~ trt + ogrs3 + age, pcp, clusters = team, se_type = "CR2")',
       lm_robust(reoffended ~ trt + ogrs3 + age, pcp, clusters = team, se_type = "CR2"), "trt", pcp$team,
       lm(reoffended ~ trt + ogrs3 + age, pcp))
record("pcp_blocked", 'lm_robust(reoffended ~ trt + ogrs3 + factor(stratum), pcp, clusters = team, se_type = "CR2")',
       lm_robust(reoffended ~ trt + ogrs3 + factor(stratum), pcp, clusters = team, se_type = "CR2"), "trt", pcp$team,
       lm(reoffended ~ trt + ogrs3 + factor(stratum), pcp))

# 5. Few clusters: 6 teams, arm by team, so the Satterthwaite df is small.
set.seed(20261206)
G <- 6; m <- c(9, 14, 7, 20, 11, 16)
team <- rep(sprintf("K%d", 1:G), m)
arm <- rep(c(1, 0, 1, 0, 1, 0), m)
x <- round(rnorm(sum(m), 30, 8))
y <- rbinom(sum(m), 1, plogis(-0.5 - 0.5 * arm + 0.03 * (x - 30) + rep(rnorm(G, 0, 0.5), m)))
# blocks: K1+K2, K3+K4, K5+K6 (pairs), and a second blocking where K6 is alone in its block, so
# its cluster has a leverage-1 direction (I - H_gg singular: clubSandwich's generalised inverse).
pair <- rep(c("A", "A", "B", "B", "C", "C"), m)
lone <- rep(c("A", "A", "B", "B", "B", "C"), m)
few <- data.frame(team, arm, x, y, pair, lone)
write.csv(few, file.path(dir, "headline-few-clusters.csv"), row.names = FALSE)
few <- read.csv(file.path(dir, "headline-few-clusters.csv"))
record("few_unadjusted", 'lm_robust(y ~ arm, few, clusters = team, se_type = "CR2")',
       lm_robust(y ~ arm, few, clusters = team, se_type = "CR2"), "arm", few$team, lm(y ~ arm, few))
record("few_adjusted", 'lm_robust(y ~ arm + x, few, clusters = team, se_type = "CR2")',
       lm_robust(y ~ arm + x, few, clusters = team, se_type = "CR2"), "arm", few$team, lm(y ~ arm + x, few))
record("few_pairs", 'lm_robust(y ~ arm + x + factor(pair), few, clusters = team, se_type = "CR2")',
       lm_robust(y ~ arm + x + factor(pair), few, clusters = team, se_type = "CR2"), "arm", few$team,
       lm(y ~ arm + x + factor(pair), few))
# The leverage-1 cluster: the reference is clubSandwich's generalised inverse square root; estimatr
# 1.0.0 gives the same SE and df here (checked below).
fl <- lm(y ~ arm + x + factor(lone), few)
ct <- coef_test(fl, vcov = "CR2", cluster = few$team, test = "Satterthwaite")
k <- which(ct$Coef == "arm")
out$few_lone <- list(call = 'coef_test(lm(y ~ arm + x + factor(lone), few), vcov = "CR2", cluster = few$team, test = "Satterthwaite")',
                     term = "arm", n = nobs(fl), estimate = unname(coef(fl)["arm"]), std_error = ct$SE[k],
                     df = ct$df_Satt[k], p_value = ct$p_Satt[k])
cat("few_lone (clubSandwich):", out$few_lone$estimate, out$few_lone$std_error, out$few_lone$df, out$few_lone$p_value, "\n")
el <- tryCatch(summary(lm_robust(y ~ arm + x + factor(lone), few, clusters = team, se_type = "CR2"))$coefficients["arm", ],
               error = function(e) conditionMessage(e))
cat("few_lone (estimatr, for comparison):\n"); print(el)
stopifnot(is.numeric(el), abs(el[["Std. Error"]] / out$few_lone$std_error - 1) < 1e-10, abs(el[["DF"]] - out$few_lone$df) < 1e-8)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "headline-references.json"))
