//! Prints what the demo contains: `cargo run -p hocba-demo --example summary`.

fn main() {
    let demo = hocba_demo::demo_data_set();
    println!(
        "{} — năm học {}-{}",
        demo.department.name,
        demo.school_year_start,
        demo.school_year_start + 1
    );
    for school in &demo.schools {
        println!(
            "{}: {} lớp, {} học sinh, {} cán bộ, {} phân công, {} tài khoản",
            school.unit.name,
            school.classes.len(),
            school.student_count(),
            school.staff.len(),
            school.teaching.len(),
            school.accounts.len()
        );
    }
    println!("Tài khoản:");
    for (_, account) in demo.accounts() {
        let roles: Vec<&str> = account.roles.iter().map(|r| r.label()).collect();
        println!(
            "  {:<22} {:<24} {} ({})",
            account.username,
            account.password,
            account.display_name,
            roles.join(", ")
        );
    }
}
